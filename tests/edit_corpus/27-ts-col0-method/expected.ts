export interface User {
  id: number;
  name: string;
  email?: string;
}

export class UserStore {
  private users = new Map<number, User>();

  save(user: User): void {
    this.users.set(user.id, user);
  }

  byEmail(email: string): User | undefined {
    const wanted = email.trim().toLowerCase();
    for (const user of this.users.values()) {
      if (user.email?.toLowerCase() === wanted) return user;
    }
    return undefined;
  }
}
