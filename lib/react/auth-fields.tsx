// The email and password fields shared by the sign-in and sign-up forms.
export function EmailField({ id, autoComplete }: { id: string; autoComplete: "username" | "email" }) {
  return (
    <div className="field">
      <label htmlFor={id}>Email</label>
      <input
        id={id}
        className="input"
        type="email"
        name="email"
        autoComplete={autoComplete}
        inputMode="email"
        autoCapitalize="none"
        spellCheck={false}
        required
        maxLength={254}
      />
    </div>
  );
}

export function PasswordField({ id, isNew }: { id: string; isNew: boolean }) {
  const helpId = `${id}-help`;
  return (
    <div className="field">
      <label htmlFor={id}>Password</label>
      <input
        id={id}
        className="input"
        type="password"
        name="password"
        autoComplete={isNew ? "new-password" : "current-password"}
        required
        minLength={isNew ? 8 : undefined}
        maxLength={256}
        aria-describedby={isNew ? helpId : undefined}
      />
      {isNew ? (
        <p id={helpId} className="field-help">
          At least 8 characters.
        </p>
      ) : null}
    </div>
  );
}
