// Package cli holds what the mains of the command-line tools (log-format,
// log-expand, log-extract, log-serve, log-events, log-report) share, so
// that each is spelled and behaves the same in all of them: the terminal
// streams and environment in one [IO] struct tests can fake, the --color
// decision ([ColorMode], [ColorFlag]), the flags every reader of lines
// takes ([InputFlags]), --timezone and the times a person gives
// ([LoadLocation], [ParseWhen]), the help text ([SetUsage]) and the error
// line with its "Try '… --help'." hint ([Fail]), the mapping from errors to
// exit codes ([ExitCode]), including a quiet exit when the reader of our
// output goes away (`| head`), the context SIGINT and SIGTERM cancel so a
// command ends its output cleanly ([SignalContext]), and the progress line
// a long read draws on a terminal ([Progress]).
package cli
