package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on every Linux
// architecture Go supports).
const clockTicks = 100

// cpuSample is a reading of CPU time used so far: by this process, by the
// local PostgreSQL server (postmaster and backends) and, from /proc/stat, by
// the whole machine. The /proc parts are Linux only.
type cpuSample struct {
	wall        time.Time
	self        time.Duration
	pg          time.Duration
	pgOK        bool
	busy, total uint64 // jiffies of all CPUs
	machineOK   bool
}

// cpuUse is CPU time over a window as a share of all CPUs of the machine:
// this process, PostgreSQL, and everything else (other programs).
type cpuUse struct {
	self, pg, other string
	// selfTime and pgTime are the CPU times (pgTime < 0: unknown).
	selfTime, pgTime time.Duration
}

func sampleCPU(pgPID int) cpuSample {
	s := cpuSample{wall: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if pgPID > 0 {
		s.pg, s.pgOK = treeCPU(pgPID)
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return s
	}
	// user nice system idle iowait irq softirq steal (guest is in user).
	for i, f := range fields[1:9] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return s
		}
		s.total += v
		if i != 3 && i != 4 {
			s.busy += v
		}
	}
	s.machineOK = true
	return s
}

// treeCPU sums the CPU time of process pid and its children (PostgreSQL's
// backends are children of the postmaster).
func treeCPU(pid int) (time.Duration, bool) {
	dirs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, false
	}
	var ticks uint64
	found := false
	for _, path := range dirs {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid ... utime stime: comm may hold spaces.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		self, _ := strconv.Atoi(strings.TrimSpace(s[:strings.IndexByte(s, '(')]))
		f := strings.Fields(s[i+1:])
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		if self != pid && ppid != pid {
			continue
		}
		found = found || self == pid
		utime, _ := strconv.ParseUint(f[11], 10, 64)
		stime, _ := strconv.ParseUint(f[12], 10, 64)
		ticks += utime + stime
	}
	return time.Duration(ticks) * time.Second / clockTicks, found
}

// use is the CPU use between two samples.
func (a cpuSample) use(b cpuSample) cpuUse {
	u := cpuUse{self: "-", pg: "-", other: "-", pgTime: -1}
	wall := b.wall.Sub(a.wall)
	if wall <= 0 {
		return u
	}
	share := func(d time.Duration) float64 { return float64(d) / float64(wall) / float64(runtime.NumCPU()) }
	pct := func(f float64) string { return fmt.Sprintf("%.0f%%", 100*max(0, f)) }
	u.selfTime = b.self - a.self
	self := share(u.selfTime)
	u.self = pct(self)
	pg := 0.0
	if a.pgOK && b.pgOK {
		u.pgTime = b.pg - a.pg
		pg = share(u.pgTime)
		u.pg = pct(pg)
	}
	if a.machineOK && b.machineOK && b.total > a.total {
		busy := float64(b.busy-a.busy) / float64(b.total-a.total)
		u.other = pct(busy - self - pg)
	}
	return u
}

// postmasterPID reads the server's pid from its data folder.
func postmasterPID(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}
