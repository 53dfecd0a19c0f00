// Generates the flat product illustrations in public/products/<slug>.svg.
// Run once: node scripts/generate-product-images.mjs (re-run after changing the catalog).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const outDir = path.join(process.cwd(), "public", "products");

// Darken (amount < 0) or lighten (amount > 0) a #rrggbb colour.
function shade(hex, amount) {
  const n = parseInt(hex.slice(1), 16);
  const channel = (c) => Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(channel);
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

const shadow = (w = 150, y = 335) => `<ellipse cx="200" cy="${y}" rx="${w}" ry="12" fill="#000" opacity=".07"/>`;

const shapes = {
  tee: (c, d) =>
    `${shadow(110)}<path d="M120 110 165 88q35 26 70 0l45 22 42 52-37 24-15-14v150H130V170l-15 14-37-24z" fill="${c}"/>` +
    `<path d="M165 88q35 34 70 0" fill="none" stroke="${d}" stroke-width="7" stroke-linecap="round"/>`,
  hoodie: (c, d) =>
    `${shadow(130)}<path d="M140 105h120l40 25 25 150-30 8-20-98v125H125V190l-20 98-30-8 25-150z" fill="${c}"/>` +
    `<path d="M158 108q42-70 84 0q-42 22-84 0z" fill="${d}"/>` +
    `<path d="M160 250h80l14 50H146z" fill="${d}" opacity=".55"/>` +
    `<path d="M188 120l-2 48M212 120l2 48" stroke="${shade(c, 0.6)}" stroke-width="4" stroke-linecap="round"/>` +
    `<path d="M125 300h150" stroke="${d}" stroke-width="10" opacity=".5"/>`,
  crew: (c, d) =>
    `${shadow(130)}<path d="M140 100q60 30 120 0l40 30 25 150-30 8-20-98v125H125V190l-20 98-30-8 25-150z" fill="${c}"/>` +
    `<path d="M150 104q50 30 100 0" fill="none" stroke="${d}" stroke-width="10" stroke-linecap="round"/>` +
    `<path d="M125 302h150M78 274l28 7M294 281l28-7" stroke="${d}" stroke-width="10" opacity=".6"/>`,
  jacket: (c, d) =>
    `${shadow(130)}<path d="M140 95h120l40 30 25 160-30 8-20-100v135H125V193l-20 100-30-8 25-160z" fill="${c}"/>` +
    `<path d="M170 95l30 40 30-40 8 22-38 30-38-30z" fill="${d}"/><path d="M200 135v183" stroke="${d}" stroke-width="3"/>` +
    `<rect x="142" y="180" width="40" height="36" rx="4" fill="${d}" opacity=".45"/><rect x="145" y="250" width="44" height="44" rx="5" fill="${d}" opacity=".45"/><rect x="211" y="250" width="44" height="44" rx="5" fill="${d}" opacity=".45"/>` +
    [160, 200, 240, 280].map((y) => `<circle cx="212" cy="${y}" r="4.5" fill="#5b4030"/>`).join(""),
  trousers: (c, d, extra) =>
    `${shadow(90)}<path d="M140 88h120l12 235h-55l-17-160-17 160h-55z" fill="${c}"/><rect x="140" y="88" width="120" height="16" fill="${d}"/>` +
    `<path d="M150 104q18 26 40 10M250 104q-18 26-40 10M200 104v55" fill="none" stroke="${d}" stroke-width="3"/>` +
    (extra ?? ""),
  shorts: (c, d) =>
    `${shadow(100)}<path d="M130 120h140l16 140-70 10-16-90-16 90-70-10z" fill="${c}"/><rect x="130" y="120" width="140" height="18" fill="${d}"/>` +
    `<path d="M175 125v14M225 125v14" stroke="${shade(c, 0.5)}" stroke-width="4" stroke-linecap="round"/><path d="M142 140q22 24 44 8M258 140q-22 24-44 8" fill="none" stroke="${d}" stroke-width="3"/>`,
  socks: (c, d) => {
    const sock = (x, y, fill) =>
      `<g transform="translate(${x} ${y})"><path d="M0 0h50v108l56 22q26 10 18 34-8 22-34 14L16 152Q0 146 0 128z" fill="${fill}"/>` +
      `<rect width="50" height="22" fill="${shade(fill, -0.2)}"/><path d="M100 128q26 10 18 34-6 18-30 16z" fill="${shade(fill, -0.2)}"/></g>`;
    return `${shadow(120)}${sock(100, 100, shade(c, 0.25))}${sock(145, 115, c)}${sock(190, 130, d)}`;
  },
  beanie: (c, d) =>
    `${shadow(110, 312)}<path d="M122 250q0-135 78-135t78 135z" fill="${c}"/>` +
    `<rect x="110" y="235" width="180" height="64" rx="14" fill="${d}"/>` +
    Array.from({ length: 11 }, (_, i) => `<path d="M${128 + i * 14.5} 243v48" stroke="${shade(d, -0.25)}" stroke-width="3" opacity=".6"/>`).join("") +
    `<path d="M200 118v117M160 130q-18 50-20 105M240 130q18 50 20 105" stroke="${d}" stroke-width="3" fill="none" opacity=".5"/>`,
  cap: (c, d) =>
    `${shadow(130, 290)}<path d="M108 240q0-112 92-115 92 3 92 115z" fill="${c}"/>` +
    `<path d="M108 240q100-22 228 14-24 28-228 10z" fill="${d}"/>` +
    `<path d="M200 126v114M150 145q-10 45-8 97M250 145q10 45 8 97" stroke="${d}" stroke-width="3" fill="none"/><circle cx="200" cy="127" r="8" fill="${d}"/>`,
  tote: (c, d) =>
    `${shadow(110)}<path d="M160 165q0-80 40-80t40 80" fill="none" stroke="#8a5a3b" stroke-width="12" stroke-linecap="round"/>` +
    `<path d="M115 160h170l-12 165H127z" fill="${c}"/><path d="M115 160h170v14H115z" fill="${d}"/>` +
    `<rect x="150" y="158" width="16" height="36" rx="3" fill="#8a5a3b"/><rect x="234" y="158" width="16" height="36" rx="3" fill="#8a5a3b"/>`,
  backpack: (c, d) =>
    `${shadow(100)}<rect x="128" y="110" width="144" height="215" rx="34" fill="${c}"/><rect x="134" y="82" width="132" height="46" rx="14" fill="${d}"/>` +
    `<rect x="191" y="82" width="18" height="88" rx="4" fill="${shade(d, -0.3)}"/><rect x="186" y="160" width="28" height="16" rx="4" fill="#c9c1b5"/>` +
    `<rect x="155" y="222" width="90" height="74" rx="16" fill="${d}"/><path d="M168 236h64" stroke="${shade(c, 0.3)}" stroke-width="3" stroke-linecap="round"/>`,
  bottle: (c, d) =>
    `${shadow(70)}<rect x="176" y="70" width="48" height="22" rx="6" fill="${d}"/><path d="M170 92h60l10 40v180q0 16-16 16h-48q-16 0-16-16V132z" fill="${c}"/>` +
    `<rect x="160" y="165" width="80" height="70" fill="${d}" opacity=".35"/><path d="M180 140v150" stroke="#fff" stroke-width="8" stroke-linecap="round" opacity=".35"/>`,
  mug: (c, d) =>
    `${shadow(110)}<path d="M252 170q56 0 56 45t-56 45" fill="none" stroke="${c}" stroke-width="18"/>` +
    `<rect x="120" y="140" width="140" height="180" rx="20" fill="${c}"/><rect x="120" y="140" width="140" height="18" rx="9" fill="${d}"/>` +
    [[150, 190], [210, 180], [175, 240], [236, 262], [155, 288], [222, 222], [195, 300]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="3.2" fill="${d}"/>`).join("") +
    `<path d="M165 120q-12-18 0-36M195 120q-12-18 0-36M225 120q-12-18 0-36" fill="none" stroke="${d}" stroke-width="5" stroke-linecap="round" opacity=".35"/>`,
  pourover: (c, d) =>
    `${shadow(100)}<path d="M168 205h64l34 100q4 20-16 20H150q-20 0-16-20z" fill="#d9ecf2" opacity=".9"/><path d="M146 268h108l12 37q4 20-16 20H150q-20 0-16-20z" fill="#6b4226"/>` +
    `<rect x="162" y="190" width="76" height="18" rx="6" fill="${d}"/><path d="M130 100h140l-38 88h-64z" fill="${c}"/><rect x="124" y="92" width="152" height="14" rx="7" fill="${d}"/>`,
  beans: (c, d) =>
    `${shadow(100)}<path d="M135 122h130l12 203H123z" fill="${c}"/><path d="M138 92h124l3 32H135z" fill="${d}"/>` +
    `<rect x="150" y="170" width="100" height="110" rx="8" fill="#f6efe4"/><ellipse cx="200" cy="225" rx="22" ry="30" fill="#6b4226" transform="rotate(20 200 225)"/>` +
    `<path d="M192 200q16 25 0 50" fill="none" stroke="#f6efe4" stroke-width="4" stroke-linecap="round" transform="rotate(20 200 225)"/>`,
  candle: (c, d) =>
    `${shadow(90)}<path d="M200 88q-22 30 0 52 22-22 0-52z" fill="#f4a340"/><path d="M200 112q-8 12 0 22 8-10 0-22z" fill="#ffe08a"/><path d="M200 140v22" stroke="#3a2a20" stroke-width="4"/>` +
    `<rect x="132" y="160" width="136" height="165" rx="18" fill="${c}"/><ellipse cx="200" cy="166" rx="62" ry="10" fill="#f3e6cf"/>` +
    `<rect x="152" y="210" width="96" height="60" rx="6" fill="#f6efe4"/><path d="M172 232h56M180 248h40" stroke="${d}" stroke-width="4" stroke-linecap="round"/>`,
  blanket: (c, d) => {
    const fold = (y, fill) => `<rect x="95" y="${y}" width="210" height="58" rx="14" fill="${fill}"/><rect x="95" y="${y}" width="210" height="58" rx="14" fill="url(#h)"/>`;
    return `<defs><pattern id="h" width="28" height="28" patternUnits="userSpaceOnUse"><path d="M0 6l14 12 14-12" fill="none" stroke="${d}" stroke-width="3" opacity=".5"/></pattern></defs>` +
      `${shadow(120)}${fold(256, shade(c, -0.08))}${fold(190, c)}${fold(124, shade(c, 0.1))}` +
      `<path d="M110 314v14m22-14v14m22-14v14m22-14v14m22-14v14m22-14v14m22-14v14m22-14v14m22-14v14" stroke="${d}" stroke-width="3" stroke-linecap="round"/>`;
  },
  notebook: (c, d) =>
    `${shadow(90)}<rect x="128" y="82" width="150" height="236" rx="10" fill="${c}"/><rect x="128" y="82" width="18" height="236" rx="6" fill="${d}"/>` +
    `<rect x="250" y="82" width="9" height="236" fill="${d}"/>` +
    Array.from({ length: 20 }, (_, i) => `<circle cx="${165 + (i % 4) * 20}" cy="${130 + Math.floor(i / 4) * 28}" r="2.4" fill="${shade(c, 0.5)}"/>`).join(""),
  sunglasses: (c, d) =>
    `${shadow(130, 270)}<path d="M92 175h216" stroke="${c}" stroke-width="14" stroke-linecap="round"/><path d="M92 178l-22 60M308 178l22 60" stroke="${c}" stroke-width="10" stroke-linecap="round"/>` +
    `<rect x="96" y="165" width="92" height="78" rx="32" fill="#2f3a3a" stroke="${c}" stroke-width="12"/><rect x="212" y="165" width="92" height="78" rx="32" fill="#2f3a3a" stroke="${c}" stroke-width="12"/>` +
    `<path d="M188 190q12-14 24 0" fill="none" stroke="${c}" stroke-width="10"/>` +
    [[104, 172], [180, 236], [296, 178], [224, 232], [140, 166], [262, 240]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="4" fill="${d}"/>`).join("") +
    `<path d="M118 190l20-14M234 190l20-14" stroke="#fff" stroke-width="5" stroke-linecap="round" opacity=".3"/>`,
  scarf: (c, d) =>
    `${shadow(110, 318)}<rect x="110" y="110" width="180" height="185" rx="10" fill="${c}"/>` +
    `<path d="M110 150h180M110 215h180M110 265h180M145 110v185M215 110v185M260 110v185" stroke="${d}" stroke-width="16" opacity=".5"/>` +
    `<path d="M110 180h180M180 110v185" stroke="#f1d9a8" stroke-width="3" opacity=".7"/>` +
    `<path d="M118 295v16m16-16v16m16-16v16m16-16v16m16-16v16m16-16v16m16-16v16m16-16v16m16-16v16m16-16v16m16-16v16" stroke="${c}" stroke-width="4" stroke-linecap="round"/>`,
};

const jeansExtra = `<path d="M137 300h56M207 300h56" stroke="#d9893b" stroke-width="3" stroke-dasharray="6 5"/>`;

// slug → [background, product colour, shape, extra].
const looks = {
  "tee-black-m": ["#e6ecef", "#24272b", "tee"],
  "tee-white-m": ["#dfe9e4", "#fbfbf8", "tee"],
  "tee-olive-l": ["#f1ead9", "#6b7447", "tee"],
  "hoodie-grey-m": ["#e9e4f0", "#9c9fa5", "hoodie"],
  "hoodie-navy-l": ["#f3e7dc", "#27365a", "hoodie"],
  "crew-oat-m": ["#e4ece5", "#d8c9ae", "crew"],
  "jacket-chore-m": ["#e7ecf1", "#b07a3f", "jacket"],
  "jeans-indigo-32": ["#f2ece1", "#2c3f6b", "trousers", jeansExtra],
  "chino-khaki-32": ["#e3eaf0", "#b9a57c", "trousers"],
  "shorts-sand-m": ["#dcebf0", "#cbb894", "shorts"],
  "socks-merino-3": ["#f1e6e6", "#6f7f78", "socks"],
  "beanie-rust": ["#e3ebee", "#b5502d", "beanie"],
  "cap-black": ["#efe9df", "#26282b", "cap"],
  "tote-natural": ["#e3ece8", "#e7dcc6", "tote"],
  "backpack-charcoal": ["#efe6da", "#43474d", "backpack"],
  "bottle-steel-750": ["#f0e4dc", "#4f7f7a", "bottle"],
  "mug-stoneware": ["#e2e8ef", "#ece4d6", "mug"],
  "pourover-kit": ["#f3ebe0", "#f7f4ef", "pourover"],
  "beans-house-1kg": ["#e6ede4", "#2f2a26", "beans"],
  "candle-cedar": ["#ebe7f0", "#b5702d", "candle"],
  "blanket-wool": ["#e4ebe9", "#a7846a", "blanket"],
  "notebook-a5": ["#f3e9dd", "#2f4a44", "notebook"],
  "sunglasses-tort": ["#e5ecef", "#7a4a2a", "sunglasses"],
  "scarf-plaid": ["#ece6dc", "#8c3b37", "scarf"],
};

mkdirSync(outDir, { recursive: true });
for (const [slug, [bg, colour, shape, extra]] of Object.entries(looks)) {
  const detail = colour === "#fbfbf8" || colour === "#f7f4ef" || colour === "#ece4d6" ? shade(colour, -0.18) : shade(colour, -0.28);
  let body = shapes[shape](colour, detail, extra);
  // Light products get a soft outline so they stand out from the background.
  if (parseInt(colour.slice(1, 3), 16) > 0xe0) body = `<g stroke="${shade(colour, -0.25)}" stroke-width="2">${body}</g>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400"><rect width="400" height="400" fill="${bg}"/>${body}</svg>\n`;
  writeFileSync(path.join(outDir, `${slug}.svg`), svg);
  console.log(`${slug}.svg ${svg.length} bytes`);
}
