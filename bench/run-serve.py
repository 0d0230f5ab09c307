#!/usr/bin/env python3
"""Save -> reload latency of `bulletin serve`: starts serve on PROJECT, opens
the live-reload event stream the page script listens to, appends a line to one
article RUNS times, and prints the time from each save to the event that
reloads the page (median and each run). Run it under the machine's CPU lock:
  flock /tmp/bulletin-cpu.lock bench/run-serve.py build/bulletin PROJECT [RUNS]
The project is edited in place: use a copy (e.g. the bench's project-10000)."""
import glob, http.client, os, socket, statistics, subprocess, sys, threading, time

exe, project = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
# serve's stderr (its "changed:"/"built" lines; stage times with BULLETIN_TIMING=1)
# goes to $SERVE_LOG when set, else nowhere (a pipe nobody reads could fill and stall it).
log = open(os.environ["SERVE_LOG"], "w") if os.environ.get("SERVE_LOG") else subprocess.DEVNULL
serve = subprocess.Popen([exe, "serve", project, "--port", str(port)], stdout=subprocess.PIPE,
                         stderr=log, text=True)
try:
    for line in serve.stdout:  # "serving … at http://…" once the first build is done
        if line.startswith("serving"):
            break
    events = []
    def listen():
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.request("GET", "/__bulletin/events")
        r = c.getresponse()
        while True:
            line = r.fp.readline()
            if not line:
                return
            if line.startswith(b"data:"):
                events.append((time.monotonic(), line))
    threading.Thread(target=listen, daemon=True).start()
    time.sleep(1.5)
    article = sorted(glob.glob(os.path.join(project, "content/articles/*.md")))[0]
    times = []
    for k in range(runs):
        seen = len(events)
        time.sleep(1.0)
        t0 = time.monotonic()
        with open(article, "a", encoding="utf-8") as f:
            f.write(f"\n新的一段 {k}。\n")
        while len(events) == seen and time.monotonic() - t0 < 30:
            time.sleep(0.002)
        if len(events) == seen:
            sys.exit("no reload event within 30 s")
        times.append(events[-1][0] - t0)
    hwm = ""
    try:  # serve's peak resident memory so far
        for line in open("/proc/%d/status" % serve.pid):
            if line.startswith("VmHWM:"):
                hwm = ", serve's peak RSS %d MB" % (int(line.split()[1]) // 1024)
    except OSError:
        pass
    print("save -> reload event, ms: median %.0f, runs %s%s" % (statistics.median(times) * 1000,
                                                            " ".join("%.0f" % (t * 1000) for t in times), hwm))
finally:
    serve.terminate()
    serve.wait()
