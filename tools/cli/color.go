package cli

import (
	"fmt"
)

// ColorMode is the value of --color. It implements pflag.Value so an invalid
// value is rejected while flags are parsed, with the valid ones listed.
type ColorMode string

// The valid [ColorMode] values.
const (
	ColorAuto   ColorMode = "auto"
	ColorAlways ColorMode = "always"
	ColorNever  ColorMode = "never"
)

// Set parses s; it accepts only "auto", "always" and "never".
func (m *ColorMode) Set(s string) error {
	switch ColorMode(s) {
	case ColorAuto, ColorAlways, ColorNever:
		*m = ColorMode(s)
		return nil
	}
	return fmt.Errorf("invalid color mode %q: want auto, always or never", s)
}

// String returns the mode; the zero value reads as "auto", which is what it
// means.
func (m *ColorMode) String() string {
	if m == nil || *m == "" {
		return string(ColorAuto)
	}
	return string(*m)
}

// Type names the value in pflag's usage text.
func (m *ColorMode) Type() string { return "when" }

// UseColor decides whether to colour Out. "auto" (and the zero value)
// colours only a terminal, and only when NO_COLOR is unset or empty and TERM
// is not "dumb"; "always" wins over NO_COLOR, as no-color.org asks, because
// the user said so on the command line.
func (io IO) UseColor(m ColorMode) bool {
	switch m {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	return io.OutIsTerminal && io.Env("NO_COLOR") == "" && io.Env("TERM") != "dumb"
}
