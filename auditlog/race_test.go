//go:build race

package auditlog_test

// raceEnabled is set under -race, where sync.Pool drops Puts at random, so
// a pooled encoder is sometimes made afresh and allocation counts are not
// the program's.
const raceEnabled = true
