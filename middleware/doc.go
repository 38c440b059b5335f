// Package middleware is the home of the timing middleware: one package per
// transport (HTTP, gRPC, database/sql) and one shared "call finished"
// reporter, so that the three kinds of timed line agree field for field.
// Each writes one audit line per unit of work through the auditlog package
// and honours its Switches.
//
// It holds no code yet; the middleware issue fills it. The line the
// middleware writes is already fixed: see the auditlog and schema packages.
package middleware
