// Package cli holds what the mains of the command-line tools (log-format,
// log-expand, log-extract) share: the terminal streams in one [IO] struct
// tests can fake, the --color decision, the flags every reader of lines
// takes ([InputFlags]), and the mapping from errors to exit codes, including
// a quiet exit when the reader of our output goes away (`| head`), and the
// progress line a long read draws on a terminal ([Progress]).
package cli
