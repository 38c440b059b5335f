//go:build !race

package httpaudit_test

const raceEnabled = false
