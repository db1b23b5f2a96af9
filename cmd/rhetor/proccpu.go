package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on
// every Linux configuration Go supports).
const clockTick = 10 * time.Millisecond

// processCPU returns the CPU time (user and system) used so far by the
// running processes with each of the given command names, from /proc; ok
// is false where /proc is not available. Processes that have exited are
// not counted.
func processCPU(names ...string) (cpu map[string]time.Duration, ok bool) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil, false
	}
	cpu = make(map[string]time.Duration, len(names))
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // exited meanwhile
		}
		name, ticks, ok := parseProcStat(string(b))
		if !ok {
			continue
		}
		for _, n := range names {
			if name == n {
				cpu[n] += time.Duration(ticks) * clockTick
			}
		}
	}
	return cpu, true
}

// parseProcStat returns the command name and utime+stime (fields 14 and 15)
// of a /proc/PID/stat line. The name is in parentheses and may hold spaces
// and parentheses itself, so fields are counted from the last ')'.
func parseProcStat(s string) (name string, ticks int64, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 13 {
		return "", 0, false
	}
	u, err1 := strconv.ParseUint(f[11], 10, 40)
	st, err2 := strconv.ParseUint(f[12], 10, 40)
	if err1 != nil || err2 != nil {
		return "", 0, false
	}
	return s[open+1 : end], int64(u + st), true
}
