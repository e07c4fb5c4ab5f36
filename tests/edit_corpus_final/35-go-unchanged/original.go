package cli

import (
	"flag"
	"fmt"
	"os"
)

// Options holds the parsed command line.
type Options struct {
	Verbose bool
	Output  string
	Limit   int
}

// Parse reads the flags from args.
func Parse(args []string) (Options, error) {
	var opts Options
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	fs.BoolVar(&opts.Verbose, "v", false, "verbose output")
	fs.StringVar(&opts.Output, "o", "-", "output file")
	fs.IntVar(&opts.Limit, "n", 10, "how many results")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if opts.Limit < 0 {
		return opts, fmt.Errorf("limit must not be negative")
	}
	return opts, nil
}

// Fail prints msg and exits.
func Fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}
