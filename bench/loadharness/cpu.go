package loadharness

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// CPU is the CPU time one webhook arm used over its measured rounds,
// warm-up excluded: where a request's cost goes, in this process or in
// the database server.
type CPU struct {
	// Requests is how many requests the rounds sent, answered as wanted
	// or not: what the times are divided by.
	Requests int
	// Process is this process's user+system time (getrusage). The load
	// generator, the HTTP servers and, on SQLite, the database run in this
	// process too, so it holds their share, the same for every arm.
	Process   time.Duration
	ProcessOK bool
	// Postgres is the user+system time of every process on this machine
	// named "postgres" (/proc), on the postgres store when /proc could be
	// read: the server's backends and its background processes, other
	// clients' work included. A process that exits mid-round loses its
	// share of that round; the arms keep their pooled connections, so
	// their backends live on.
	Postgres   time.Duration
	PostgresOK bool
}

// ProcessPerRequest is Process per request, zero when not measured.
func (c CPU) ProcessPerRequest() time.Duration { return perRequest(c.Process, c.ProcessOK, c.Requests) }

// PostgresPerRequest is Postgres per request, zero when not measured.
func (c CPU) PostgresPerRequest() time.Duration {
	return perRequest(c.Postgres, c.PostgresOK, c.Requests)
}

func perRequest(d time.Duration, ok bool, n int) time.Duration {
	if !ok || n <= 0 {
		return 0
	}
	return d / time.Duration(n)
}

// measureCPU runs f and returns the CPU time it took: this process's and,
// when pg, the PostgreSQL server's. /proc is read outside the process's
// bracket, so that reading it does not count.
func measureCPU(pg bool, f func()) CPU {
	var pg0 map[procKey]uint64
	if pg {
		pg0 = postgresTicks()
	}
	p0, ok0 := processCPU()
	f()
	p1, ok1 := processCPU()
	c := CPU{Process: p1 - p0, ProcessOK: ok0 && ok1}
	if pg {
		c.Postgres, c.PostgresOK = ticksBetween(pg0, postgresTicks())
	}
	return c
}

// sumCPU adds up the rounds of an arm, which sent requests in all: a
// figure is measured if it was in every round.
func sumCPU(cs []CPU, requests int) CPU {
	out := CPU{Requests: requests, ProcessOK: len(cs) > 0, PostgresOK: len(cs) > 0}
	for _, c := range cs {
		out.Process += c.Process
		out.Postgres += c.Postgres
		out.ProcessOK = out.ProcessOK && c.ProcessOK
		out.PostgresOK = out.PostgresOK && c.PostgresOK
	}
	return out
}

// clockTick is the unit of /proc/<pid>/stat's times: Linux's USER_HZ,
// what sysconf(_SC_CLK_TCK) and getconf CLK_TCK answer, 100 on every
// architecture Go runs Linux on.
const clockTick = time.Second / 100

// procKey names a process: its pid, and its start time, so that a reused
// pid is another process.
type procKey struct {
	pid   int
	start string
}

// postgresTicks reads utime+stime, in clock ticks, of every process named
// "postgres"; nil when /proc cannot be read or holds none.
func postgresTicks() map[procKey]uint64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var m map[procKey]uint64
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := "/proc/" + e.Name() + "/"
		comm, err := os.ReadFile(dir + "comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		stat, err := os.ReadFile(dir + "stat")
		if err != nil {
			continue // gone meanwhile
		}
		if t, start, ok := statTicks(string(stat)); ok {
			if m == nil {
				m = make(map[procKey]uint64)
			}
			m[procKey{pid, start}] = t
		}
	}
	return m
}

// statTicks returns utime+stime (fields 14 and 15) and the start time
// (field 22) of a /proc/<pid>/stat line. The fields are counted after the
// command name, field 2, which may hold spaces and parentheses.
func statTicks(stat string) (ticks uint64, start string, ok bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3
	if len(f) < 20 {
		return 0, "", false
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, "", false
	}
	return utime + stime, f[19], true
}

// ticksBetween is the CPU time the processes used between two samples:
// each process's growth, all of it for a process that started between
// them, nothing for one that ended. Not ok unless both samples found some.
func ticksBetween(from, to map[procKey]uint64) (time.Duration, bool) {
	if len(from) == 0 || len(to) == 0 {
		return 0, false
	}
	var t uint64
	for k, v := range to {
		t += v - min(v, from[k])
	}
	return time.Duration(t) * clockTick, true
}
