"""Starting, watching and stopping the processes of a benchmark run: the Samsa
broker, librdkafka's mock cluster, the floor and the load generator. Process
figures come from /proc (CPU from /proc/<pid>/stat, memory from status and
smaps_rollup)."""

import json
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """A step failed; the message says which command and why."""


class Programs:
    """Paths of the binaries, found under the build directory."""

    def __init__(self, build_dir):
        self.build_dir = os.path.abspath(build_dir)
        self.samsa = os.path.join(self.build_dir, "src", "cli", "samsa")
        self.load = os.path.join(self.build_dir, "bench", "load", "samsa_load")
        self.mock = os.path.join(self.build_dir, "bench", "baseline", "samsa_mock_cluster")
        self.floor = os.path.join(self.build_dir, "bench", "baseline", "samsa_floor")
        missing = [p for p in (self.samsa, self.load, self.mock, self.floor) if not os.access(p, os.X_OK)]
        if missing:
            raise BenchError("not built: " + ", ".join(missing) +
                             " (cmake --build <build dir> --target samsa samsa_load samsa_mock_cluster samsa_floor)")


# -- /proc figures ---------------------------------------------------------

def cpu_seconds(pid):
    """On-CPU time of a process in seconds, user and kernel: the sum over its threads of
    /proc/<pid>/task/*/schedstat (nanoseconds), or utime + stime from /proc/<pid>/stat
    (10 ms ticks) where schedstat is missing. The processes measured keep their threads
    for their whole life, so no exited thread's time is lost."""
    total_ns = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total_ns += int(f.read().split()[0])
            except FileNotFoundError:
                pass  # the thread ended between listdir and open
        return total_ns / 1e9
    except (FileNotFoundError, PermissionError):
        pass
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu(pid):
    """{tid: (name, on-CPU seconds)} of every thread of a process: the name from
    /proc/<pid>/task/<tid>/comm, the time from its schedstat (nanoseconds) or else utime + stime
    from its stat (10 ms ticks)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(base + "/comm") as f:
                name = f.read().strip()
            try:
                with open(base + "/schedstat") as f:
                    seconds = int(f.read().split()[0]) / 1e9
            except FileNotFoundError:
                with open(base + "/stat") as f:
                    text = f.read()
                fields = text[text.rindex(")") + 2:].split()
                seconds = (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between listdir and open
        out[int(tid)] = (name, seconds)
    return out


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise BenchError(f"no {key} in /proc/{pid}/status")


def memory(pid):
    """Resident memory facts in MB (10^6 bytes): rss, hwm (peak rss), pss, anon."""
    out = {"rss_mb": status_kb(pid, "VmRSS") * 1024 / 1e6, "hwm_mb": status_kb(pid, "VmHWM") * 1024 / 1e6}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if parts[0] in ("Pss:", "Anonymous:"):
                    out[parts[0][:-1].lower() + "_mb"] = int(parts[1]) * 1024 / 1e6
    except FileNotFoundError:
        pass
    return out


def open_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


class RssSampler:
    """Samples VmRSS of a process every `interval` seconds in a thread; keeps the peak."""

    def __init__(self, pid, interval=0.05):
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.peak_kb = max(self.peak_kb, status_kb(self.pid, "VmRSS"))
            except (OSError, BenchError):
                return
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self):
        return self.peak_kb * 1024 / 1e6


def raise_fd_limit(wanted=None):
    """Children inherit this: the broker needs a descriptor per connection and per open segment
    file. Default: the soft limit goes up to the hard limit. With `wanted`, both are set to it
    (raising the hard limit needs root / CAP_SYS_RESOURCE)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    elif soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# -- Kafka probe -------------------------------------------------------------

def api_versions_probe(host, port, timeout=1.0):
    """One ApiVersions v0 round trip on a new connection; True when answered."""
    body = struct.pack(">hhih", 18, 0, 7, 5) + b"probe"
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(struct.pack(">i", len(body)) + body)
            head = b""
            while len(head) < 8:
                chunk = s.recv(8 - len(head))
                if not chunk:
                    return False
                head += chunk
            _, corr = struct.unpack(">ii", head)
            return corr == 7
    except OSError:
        return False


# -- the Samsa broker --------------------------------------------------------

# The broker's HTTP services (console, Schema Registry, REST proxy) bind fixed ports by default
# (8080-8082): with two brokers at once the second runs without them, and anything else on the
# machine holding those ports changes what is measured. run.py turns them off for every broker
# (settings "http_services": "off"), so all brokers of a run are alike and the comparison with the
# mock cluster is Kafka against Kafka; "on" keeps the binary's defaults.
HTTP_SERVICES_OFF = {"http.listeners": "none", "schema.registry.listeners": "none", "http.proxy.listeners": "none"}


class SamsaBroker:
    """One `samsa serve` on 127.0.0.1 port 0 with its own data directory."""

    default_settings = {}  # applied to every broker before its own settings (run.py sets it)

    def __init__(self, programs, work_dir, settings=None, data_dir=None, cpus=None):
        self.programs = programs
        self.cpus = cpus  # a taskset CPU list ("0", "0-1"): the broker runs on those cores only
        self.work_dir = tempfile.mkdtemp(prefix="broker-", dir=work_dir)
        self.data_dir = data_dir or os.path.join(self.work_dir, "data")
        self.settings = dict(settings or {})
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.work_dir, "broker.log")

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid

    def start(self, timeout=120.0):
        """Starts the broker; returns seconds to the port file and to the first ApiVersions answer."""
        port_file = os.path.join(self.work_dir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        args = [self.programs.samsa, "serve", "--set", "listeners=PLAINTEXT://127.0.0.1:0",
                "--set", f"log.dirs={self.data_dir}", "--port-file", port_file]
        for key, value in {**SamsaBroker.default_settings, **self.settings}.items():
            args += ["--set", f"{key}={value}"]
        if self.cpus is not None:
            args = ["taskset", "-c", str(self.cpus)] + args  # taskset execs: the pid stays the broker's
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSA_")}
        log = open(self.log_path, "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log.close()
        deadline = t0 + timeout
        port_s = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"samsa exited with {self.proc.returncode} during start\n{self.log_tail()}")
            if port_s is None:
                try:
                    with open(port_file) as f:
                        text = f.read().strip()
                    if text:
                        self.port = int(text)
                        port_s = time.monotonic() - t0
                except (FileNotFoundError, ValueError):
                    pass
            if port_s is not None and api_versions_probe("127.0.0.1", self.port):
                return {"port_file_s": port_s, "first_answer_s": time.monotonic() - t0}
            time.sleep(0.0005)
        self.kill()
        raise BenchError(f"samsa did not answer within {timeout}s\n{self.log_tail()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=60.0):
        """SIGTERM; returns seconds until the process exited."""
        if not self.alive():
            return None
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise BenchError(f"samsa did not exit within {timeout}s of SIGTERM\n{self.log_tail()}")
        if self.proc.returncode not in (0, -signal.SIGTERM):
            raise BenchError(f"samsa exited with {self.proc.returncode} on SIGTERM\n{self.log_tail()}")
        return time.monotonic() - t0

    def kill(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read().decode(errors="replace").splitlines()
            return "--- broker log (tail) ---\n" + "\n".join(data[-lines:])
        except FileNotFoundError:
            return "(no broker log)"


# -- librdkafka's mock cluster -----------------------------------------------

class MockCluster:
    """bench/baseline/mock_cluster: topics are created over its stdin."""

    def __init__(self, programs):
        self.proc = subprocess.Popen([programs.mock], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "BOOTSTRAP":
            self.stop()
            raise BenchError(f"mock cluster did not print its address: {line}")
        self.bootstrap = line[1].split(",")[0]

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def create_topic(self, name, partitions):
        self.proc.stdin.write(f"topic {name} {partitions}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise BenchError(f"mock cluster: topic {name}: {answer}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- the load generator and the floor ---------------------------------------

def run_json(args, timeout):
    """Runs a program that prints JSON lines; returns (objects, child CPU seconds).
    Raises BenchError with the command, exit status and stderr tail on failure."""
    before = children_cpu()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"timed out after {timeout}s: {' '.join(args)}\n{(e.stderr or '')[-2000:]}")
    cpu = children_cpu() - before
    objects = []
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            objects.append(json.loads(line))
    if done.returncode != 0 or not objects:
        raise BenchError(f"exit {done.returncode}: {' '.join(args)}\nstdout: {done.stdout[-1500:]}\n"
                         f"stderr: {done.stderr[-2000:]}")
    return objects, cpu


def load(programs, subcommand, bootstrap, *args, timeout=600):
    """One samsa_load run; returns its JSON object with the generator's own CPU seconds added."""
    objects, cpu = run_json([programs.load, subcommand, "-b", bootstrap, *map(str, args)], timeout)
    result = objects[-1]
    result["loadgen_cpu_s"] = cpu
    return result
