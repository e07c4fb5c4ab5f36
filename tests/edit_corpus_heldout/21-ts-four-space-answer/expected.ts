export type Rule = (value: string) => string | null;

export const required: Rule = (value) => (value.trim() ? null : 'This field is required');

export const minLength =
  (min: number): Rule =>
  (value) =>
    value.length >= min ? null : `Must be at least ${min} characters`;

export const email: Rule = (value) =>
  /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) ? null : 'Not a valid email address';

export function validate(value: string, rules: Rule[]): string | null {
  for (const rule of rules) {
    const message = rule(value);
    if (message) return message;
  }
  return null;
}

export function validateForm(
  values: Record<string, string>,
  schema: Record<string, Rule[]>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [field, rules] of Object.entries(schema)) {
    const message = validate(values[field] ?? '', rules);
    if (message) {
      errors[field] = message;
    }
  }
  return errors;
}
