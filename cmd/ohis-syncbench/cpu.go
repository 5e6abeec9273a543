package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on every Linux
// architecture Go supports).
const clockTicks = 100

// cpuSample is CPU time used so far (Linux /proc): by this process (OHIS),
// by the PostgreSQL server (postmaster and backends), by the demo shop
// process, and by the whole machine.
type cpuSample struct {
	wall             time.Time
	self, pg, shop   time.Duration
	busy             time.Duration // all CPUs, all programs
	pgOK, shopOK, ok bool
}

func sampleCPU(pgPID, shopPID int) cpuSample {
	s := cpuSample{wall: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if pgPID > 0 {
		s.pg, s.pgOK = treeCPU(pgPID)
	}
	if shopPID > 0 {
		s.shop, s.shopOK = treeCPU(shopPID)
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
	var busy uint64
	for i, f := range fields[1:9] { // user nice system idle iowait irq softirq steal
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return s
		}
		if i != 3 && i != 4 {
			busy += v
		}
	}
	s.busy, s.ok = time.Duration(busy)*time.Second/clockTicks, true
	return s
}

// cpuUse is CPU time over a window; negative when unknown.
type cpuUse struct {
	self, pg, shop, other time.Duration
}

func (a cpuSample) use(b cpuSample) cpuUse {
	u := cpuUse{self: b.self - a.self, pg: -1, shop: -1, other: -1}
	known := u.self
	if a.pgOK && b.pgOK {
		u.pg = b.pg - a.pg
		known += u.pg
	}
	if a.shopOK && b.shopOK {
		u.shop = b.shop - a.shop
		known += u.shop
	}
	if a.ok && b.ok {
		u.other = max(0, b.busy-a.busy-known)
	}
	return u
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
