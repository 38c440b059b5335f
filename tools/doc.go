// Package tools is the home of the logic behind the command-line helpers in
// cmd/ (log-format, log-expand, log-extract), one testable package each,
// and of the line input they share (files, gzip, stdin, grep prefixes).
//
// It holds no code yet; the command-line issues fill it. The commands' mains
// stay thin: parse flags, call a package here, map errors to exit codes.
package tools
