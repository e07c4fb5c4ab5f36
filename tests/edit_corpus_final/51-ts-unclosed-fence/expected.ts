export interface Field {
  name: string;
  required?: boolean;
  minLength?: number;
}

export interface FieldError {
  field: string;
  message: string;
}

export function validate(values: Record<string, string>, fields: Field[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of fields) {
    const value = (values[field.name] ?? "").trim();
    if (field.required && value.length === 0) {
      errors.push({ field: field.name, message: "is required" });
      continue;
    }
    if (field.minLength && value.length < field.minLength) {
      errors.push({ field: field.name, message: `must be at least ${field.minLength} characters` });
    }
  }
  return errors;
}
