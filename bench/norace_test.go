//go:build !race

package bench

// raceEnabled is set under -race, where sync.Pool drops Puts at random and
// allocation counts are not the program's.
const raceEnabled = false
