//go:build !race

package logevents

const raceDetector = false
