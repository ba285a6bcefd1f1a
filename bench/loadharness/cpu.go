package loadharness

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Server is a database server on this machine whose CPU time the harness
// reads from /proc: PostgreSQL's, MariaDB's or MySQL's. The zero Server is
// none: the memory store, and SQLite, which runs in this process.
type Server struct {
	// Name is what the report calls it: "postgres", "mariadb" or "mysql".
	Name string
	// Processes are the names its processes go by (/proc/<pid>/comm).
	Processes []string
}

// postgresServer is PostgreSQL's server, every process of which is named
// postgres.
func postgresServer() Server { return Server{Name: "postgres", Processes: []string{"postgres"}} }

// mysqlServer is the MySQL or MariaDB server whose VERSION() is version:
// MariaDB's says so. One process, mariadbd (MariaDB since 10.5) or mysqld
// (MySQL, and MariaDB before 10.5 or started by that name).
func mysqlServer(version string) Server {
	name := "mysql"
	if strings.Contains(version, "MariaDB") {
		name = "mariadb"
	}
	return Server{Name: name, Processes: []string{"mariadbd", "mysqld"}}
}

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
	// Server is the user+system time of the database server's processes
	// on this machine ([Server], /proc), on the postgres and mysql stores
	// when /proc could be read: on PostgreSQL its backends and background
	// processes, on MySQL and MariaDB its one process, other clients' work
	// included. A process that exits mid-round loses its share of that
	// round; the arms keep their pooled connections, so PostgreSQL's
	// backends live on.
	Server   time.Duration
	ServerOK bool
}

// ProcessPerRequest is Process per request, zero when not measured.
func (c CPU) ProcessPerRequest() time.Duration { return perRequest(c.Process, c.ProcessOK, c.Requests) }

// ServerPerRequest is Server per request, zero when not measured.
func (c CPU) ServerPerRequest() time.Duration {
	return perRequest(c.Server, c.ServerOK, c.Requests)
}

func perRequest(d time.Duration, ok bool, n int) time.Duration {
	if !ok || n <= 0 {
		return 0
	}
	return d / time.Duration(n)
}

// measureCPU runs f and returns the CPU time it took: this process's and,
// unless server is the zero Server, the database server's. /proc is read
// outside the process's bracket, so that reading it does not count.
func measureCPU(server Server, f func()) CPU {
	var s0 map[procKey]uint64
	if len(server.Processes) > 0 {
		s0 = serverTicks(server.Processes)
	}
	p0, ok0 := processCPU()
	f()
	p1, ok1 := processCPU()
	c := CPU{Process: p1 - p0, ProcessOK: ok0 && ok1}
	if len(server.Processes) > 0 {
		c.Server, c.ServerOK = ticksBetween(s0, serverTicks(server.Processes))
	}
	return c
}

// sumCPU adds up the rounds of an arm, which sent requests in all: a
// figure is measured if it was in every round.
func sumCPU(cs []CPU, requests int) CPU {
	out := CPU{Requests: requests, ProcessOK: len(cs) > 0, ServerOK: len(cs) > 0}
	for _, c := range cs {
		out.Process += c.Process
		out.Server += c.Server
		out.ProcessOK = out.ProcessOK && c.ProcessOK
		out.ServerOK = out.ServerOK && c.ServerOK
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

// serverTicks reads utime+stime, in clock ticks, of every process named
// one of names; nil when /proc cannot be read or holds none.
func serverTicks(names []string) map[procKey]uint64 {
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
		if err != nil || !slices.Contains(names, strings.TrimSpace(string(comm))) {
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
