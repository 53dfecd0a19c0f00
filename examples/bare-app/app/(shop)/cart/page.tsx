import { CartView, cartErrorFromSearchParams } from "next-cart/react";

export const metadata = { title: "Your cart" };

export default async function CartPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // A post without JavaScript comes back here with ?cartError=CODE.
  const errorCode = cartErrorFromSearchParams((await searchParams).cartError);
  return (
    <>
      <h1>Your cart</h1>
      <CartView errorCode={errorCode} showMergedNotice={false} />
    </>
  );
}
