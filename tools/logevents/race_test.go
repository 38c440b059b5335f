//go:build race

package logevents

// raceDetector is true when the tests run under the race detector.
const raceDetector = true
