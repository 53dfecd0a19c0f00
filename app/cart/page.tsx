import type { Metadata } from "next";
import { CartView, cartErrorFromSearchParams } from "@/lib/components";

export const metadata: Metadata = { title: "Your cart" };

interface CartPageProps {
  searchParams: Promise<{ cartError?: string | string[] }>;
}

export default async function CartPage({ searchParams }: CartPageProps) {
  const errorCode = cartErrorFromSearchParams((await searchParams).cartError);
  return (
    <div className="container">
      <h1 className="page-title">Your cart</h1>
      <CartView errorCode={errorCode} returnTo="/cart" />
    </div>
  );
}
