/** A new password, typed twice: the form refuses to send two that differ. The policy is the server's. */
export function NewPasswordFields({
  id,
  label = 'New password',
  password,
  again,
  onPassword,
  onAgain,
}: {
  id: string;
  label?: string;
  password: string;
  again: string;
  onPassword: (value: string) => void;
  onAgain: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        type="password"
        autoComplete="new-password"
        aria-describedby={`${id}-hint`}
        required
        value={password}
        onChange={(e) => onPassword(e.target.value)}
      />
      <p id={`${id}-hint`} className="hint">
        At least 8 characters. A few unrelated words make a strong password that is easy to remember.
      </p>
      <label htmlFor={`${id}-again`}>{label} again</label>
      <input
        id={`${id}-again`}
        name={`${id}-again`}
        type="password"
        autoComplete="new-password"
        required
        value={again}
        onChange={(e) => onAgain(e.target.value)}
      />
    </>
  );
}

/** Why two typed passwords cannot be sent, or null. */
export function newPasswordProblem(password: string, again: string): string | null {
  if (password === '') return 'Enter a new password.';
  if (password !== again) return 'The two passwords are not the same. Type the new password twice.';
  return null;
}
