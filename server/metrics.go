package server

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"runtime"
	rtmetrics "runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the latency histograms.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// metrics are the server's counters, written in the Prometheus text format.
type metrics struct {
	start  time.Time
	routes map[string]*routeMetrics
	names  []string
	// analyses counts completed analyses; storeWrites articles written or
	// deleted; internalErrors the requests that failed with a 500.
	analyses, storeWrites, internalErrors atomic.Uint64
}

// routeMetrics are one route's counters.
type routeMetrics struct {
	inFlight atomic.Int64
	mu       sync.Mutex
	codes    map[int]uint64
	buckets  []uint64 // cumulative counts are computed when written
	count    uint64
	sum      float64
}

func newMetrics(names []string) *metrics {
	m := &metrics{start: time.Now(), routes: map[string]*routeMetrics{}, names: names}
	for _, n := range names {
		m.routes[n] = &routeMetrics{codes: map[int]uint64{}, buckets: make([]uint64, len(latencyBuckets))}
	}
	return m
}

// observe records a finished request.
func (rm *routeMetrics) observe(code int, d time.Duration) {
	sec := d.Seconds()
	i := sort.SearchFloat64s(latencyBuckets, sec)
	rm.mu.Lock()
	rm.codes[code]++
	if i < len(rm.buckets) {
		rm.buckets[i]++
	}
	rm.count++
	rm.sum += sec
	rm.mu.Unlock()
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	s.metrics.write(bw)
	bw.Flush()
}

// write prints every metric in the Prometheus text exposition format.
func (m *metrics) write(w io.Writer) {
	header := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	header("rhetor_http_requests_total", "counter", "HTTP requests answered, by route and status code.")
	for _, n := range m.names {
		rm := m.routes[n]
		rm.mu.Lock()
		codes := make([]int, 0, len(rm.codes))
		for c := range rm.codes {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			fmt.Fprintf(w, "rhetor_http_requests_total{route=%s,code=\"%d\"} %d\n", quote(n), c, rm.codes[c])
		}
		rm.mu.Unlock()
	}
	header("rhetor_http_request_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status, by route and class.")
	for _, n := range m.names {
		rm := m.routes[n]
		var c4, c5 uint64
		rm.mu.Lock()
		for c, k := range rm.codes {
			switch {
			case c >= 500:
				c5 += k
			case c >= 400:
				c4 += k
			}
		}
		rm.mu.Unlock()
		if c4 > 0 {
			fmt.Fprintf(w, "rhetor_http_request_errors_total{route=%s,class=\"4xx\"} %d\n", quote(n), c4)
		}
		if c5 > 0 {
			fmt.Fprintf(w, "rhetor_http_request_errors_total{route=%s,class=\"5xx\"} %d\n", quote(n), c5)
		}
	}
	header("rhetor_http_request_duration_seconds", "histogram", "Time from receiving a request's headers to the end of its handler, by route.")
	for _, n := range m.names {
		rm := m.routes[n]
		rm.mu.Lock()
		var cum uint64
		for i, b := range latencyBuckets {
			cum += rm.buckets[i]
			fmt.Fprintf(w, "rhetor_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", quote(n), strconv.FormatFloat(b, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "rhetor_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(n), rm.count)
		fmt.Fprintf(w, "rhetor_http_request_duration_seconds_sum{route=%s} %s\n", quote(n), strconv.FormatFloat(rm.sum, 'g', -1, 64))
		fmt.Fprintf(w, "rhetor_http_request_duration_seconds_count{route=%s} %d\n", quote(n), rm.count)
		rm.mu.Unlock()
	}
	header("rhetor_http_requests_in_flight", "gauge", "Requests being handled now, by route.")
	for _, n := range m.names {
		fmt.Fprintf(w, "rhetor_http_requests_in_flight{route=%s} %d\n", quote(n), m.routes[n].inFlight.Load())
	}
	header("rhetor_analyses_total", "counter", "Articles analysed.")
	fmt.Fprintf(w, "rhetor_analyses_total %d\n", m.analyses.Load())
	header("rhetor_store_writes_total", "counter", "Articles written to or deleted from the store.")
	fmt.Fprintf(w, "rhetor_store_writes_total %d\n", m.storeWrites.Load())
	header("rhetor_internal_errors_total", "counter", "Requests that failed with an internal error (logged).")
	fmt.Fprintf(w, "rhetor_internal_errors_total %d\n", m.internalErrors.Load())
	m.writeRuntime(w, header)
}

// runtimeSamples are the Go runtime metrics exported, with their names here.
var runtimeSamples = []struct{ key, name, typ, help string }{
	{"/sched/goroutines:goroutines", "go_goroutines", "gauge", "Goroutines that currently exist."},
	{"/memory/classes/heap/objects:bytes", "go_memstats_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects."},
	{"/memory/classes/total:bytes", "go_memstats_sys_bytes", "gauge", "Bytes of memory obtained from the OS."},
	{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "counter", "Completed GC cycles."},
	{"/gc/heap/allocs:bytes", "go_memstats_alloc_bytes_total", "counter", "Bytes allocated on the heap, cumulative."},
	{"/sched/gomaxprocs:threads", "go_sched_gomaxprocs_threads", "gauge", "GOMAXPROCS."},
}

func (m *metrics) writeRuntime(w io.Writer, header func(name, typ, help string)) {
	samples := make([]rtmetrics.Sample, len(runtimeSamples))
	for i, rs := range runtimeSamples {
		samples[i].Name = rs.key
	}
	rtmetrics.Read(samples)
	for i, rs := range runtimeSamples {
		var v uint64
		if samples[i].Value.Kind() == rtmetrics.KindUint64 {
			v = samples[i].Value.Uint64()
		}
		header(rs.name, rs.typ, rs.help)
		fmt.Fprintf(w, "%s %d\n", rs.name, v)
	}
	header("go_info", "gauge", "The Go version the server was built with.")
	fmt.Fprintf(w, "go_info{version=%s} 1\n", quote(runtime.Version()))
	header("process_start_time_seconds", "gauge", "Start time of the server since the Unix epoch, in seconds.")
	fmt.Fprintf(w, "process_start_time_seconds %d\n", m.start.Unix())
	if cpu, ok := processCPUSeconds(); ok {
		header("process_cpu_seconds_total", "counter", "User and system CPU time the server has used, in seconds.")
		fmt.Fprintf(w, "process_cpu_seconds_total %g\n", cpu)
	}
}

// labelEscaper applies the escapes the text format requires in label values.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// quote writes a label value with the escapes the text format requires.
func quote(s string) string { return `"` + labelEscaper.Replace(s) + `"` }
