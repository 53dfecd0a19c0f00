"use client";

import type { ReactNode } from "react";
import { useFormStatus } from "react-dom";

export interface SubmitButtonProps {
  children: ReactNode;
  // Shown while the form is on its way (with JavaScript).
  pendingLabel?: ReactNode;
  className?: string;
  testId?: string;
}

// A form's submit button that says so while the post is pending. Plain submit without JavaScript.
export function SubmitButton({ children, pendingLabel, className = "nc nc-button nc-button-primary", testId }: SubmitButtonProps) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      className={className}
      aria-disabled={pending || undefined}
      data-pending={pending ? "true" : undefined}
      data-testid={testId}
      onClick={(event) => {
        // A second click while the first post is on its way would post twice.
        if (pending) event.preventDefault();
      }}
    >
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
