// A static twin of the catch-all (app/api/[...cart]) for one of the busiest paths: Next.js
// resolves a static route file with less work per request than a catch-all. Same handlers.
export const dynamic = "force-dynamic";

export { GET, POST, PUT, PATCH, DELETE } from "../[...cart]/route";
