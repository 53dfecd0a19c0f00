import type { Metadata } from "next";
import "./globals.css";

// create-next-app's root layout (without its Google fonts: no network here): next-cart init puts
// the cart's provider around what the body holds. The shop's header is app/(shop)/layout.tsx.
export const metadata: Metadata = {
  title: "Host shop · next-cart example",
  description: "A Next.js app wired by next-cart init",
};

export default function RootLayout({
  children,
}: Readonly<{
  children: React.ReactNode;
}>) {
  return (
    <html lang="en">
      <body>
        {children}
      </body>
    </html>
  );
}
