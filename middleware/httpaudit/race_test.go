//go:build race

package httpaudit_test

// raceEnabled says the race detector is on: it makes sync.Pool drop items
// at random, so allocation counts are not the program's.
const raceEnabled = true
