package logformat

import "github.com/auditlog-go/auditlog/tools/logline"

// ANSI colours, used only when the command decided colour is wanted (a
// terminal, no NO_COLOR, or --color=always).
const (
	colorReset    = "\x1b[0m"
	colorDim      = "\x1b[2m"
	colorRed      = "\x1b[31m"
	colorBoldRed  = "\x1b[1;31m"
	colorReverse  = "\x1b[1;7;31m"
	colorYellow   = "\x1b[33m"
	colorBold     = "\x1b[1m"
	colorCyan     = "\x1b[36m"
	colorDimWhite = "\x1b[2;37m"
)

// levelColor is the colour of a level value: the levels an operator must
// not miss stand out, DEBUG fades.
func levelColor(v []byte) string {
	_, rank, ok := logline.LevelOf(v)
	if !ok {
		return ""
	}
	return rankColor(rank)
}

func rankColor(rank int) string {
	switch {
	case rank >= logline.RankCritical:
		return colorReverse
	case rank >= logline.RankError:
		return colorBoldRed
	case rank >= logline.RankWarning:
		return colorYellow
	case rank >= logline.RankInfo:
		return colorBold
	}
	return colorDim
}
