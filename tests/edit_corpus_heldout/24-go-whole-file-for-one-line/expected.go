package config

import (
	"os"
	"strconv"
)

// Config holds the server settings read from the environment.
type Config struct {
	Addr    string
	Workers int
	Debug   bool
}

// FromEnv reads the config from environment variables.
func FromEnv() Config {
	cfg := Config{Addr: ":8080", Workers: 4}
	if addr := os.Getenv("APP_ADDR"); addr != "" {
		cfg.Addr = addr
	}
	if n, err := strconv.Atoi(os.Getenv("APP_WORKERS")); err == nil {
		cfg.Workers = n
	}
	if debug, err := strconv.ParseBool(os.Getenv("APP_DEBUG")); err == nil {
		cfg.Debug = debug
	}
	return cfg
}
