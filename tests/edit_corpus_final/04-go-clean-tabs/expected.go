package store

import (
	"database/sql"
	"fmt"
)

// User is one row of the users table.
type User struct {
	ID    int64
	Email string
	Name  string
}

// FindUser loads a user by id.
func FindUser(db *sql.DB, id int64) (*User, error) {
	row := db.QueryRow("SELECT id, email, name FROM users WHERE id = ?", id)
	var u User
	if err := row.Scan(&u.ID, &u.Email, &u.Name); err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, err)
	}
	return &u, nil
}

// CountUsers returns how many users exist.
func CountUsers(db *sql.DB) (int, error) {
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}
