#!/usr/bin/env python3
"""CPU of the fan-out's whole process tree: wo (or the floor), git, the tmux server and every pane.

    python3 bench/tree-cpu.py REPS N C LABEL=CHECKOUT [LABEL=CHECKOUT ...]

LABEL `floor` runs bench/floor.sh (its CHECKOUT is ignored); any other runs `wo run` of the built
CHECKOUT. The runs alternate (the order reverses every rep), each in a fresh repository under
$BENCH_FANOUT_DIR (default: the temporary folder), with its own tmux socket. Prints each run's wall
time, the tree's CPU (user+sys) and wo's own CPU, then medians.

Why Python: the tmux server daemonizes, so its CPU (and its panes') is nobody's child's. This
process makes itself a child subreaper (prctl), so the server is reparented to it and reaped here
when its socket's server is killed: RUSAGE_CHILDREN then holds the whole tree. Node cannot do that.
Linux only. Ends only the tmux servers it started, by socket.
"""
import ctypes
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
FLOOR = os.path.join(BENCH, 'floor.sh')
RUSAGE_HOOK = 'file://' + os.path.join(BENCH, 'rusage.js')
PR_SET_CHILD_SUBREAPER = 36


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def make_repo(parent, n, c, env):
    repo = os.path.join(parent, 'repo')
    os.makedirs(repo)
    git = lambda *a: subprocess.run(['git', *a], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    git('init', '-q', '-b', 'main')
    with open(os.path.join(repo, 'README.md'), 'w') as f:
        f.write('# bench\n')
    git('add', 'README.md')
    git('commit', '-q', '-m', 'init')
    with open(os.path.join(repo, 'workers.yaml'), 'w') as f:
        f.write(f'version: 1\nconcurrency: {c}\ndefaults: {{agent: shell, timeout: 1m}}\nworkers:\n')
        for i in range(1, n + 1):
            f.write(f'  - {{feature: w{i}, task: "sleep 0.2"}}\n')
    return repo


def once(label, checkout, n, c):
    parent = tempfile.mkdtemp(prefix='wo-bench-treecpu-', dir=os.environ.get('BENCH_FANOUT_DIR') or None)
    sock = f'wo-bench-treecpu-{os.getpid()}-{label}'
    env = {
        'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': os.path.join(parent, 'home'),
        'SHELL': '/bin/sh', 'LANG': 'C.UTF-8', 'TERM': 'xterm-256color', 'CI': '1', 'NO_COLOR': '1',
        'GIT_AUTHOR_NAME': 'wo bench', 'GIT_AUTHOR_EMAIL': 'bench@wo.invalid',
        'GIT_COMMITTER_NAME': 'wo bench', 'GIT_COMMITTER_EMAIL': 'bench@wo.invalid',
        'GIT_CONFIG_NOSYSTEM': '1', 'WO_TMUX_SOCKET': sock, 'FLOOR_SOCKET': sock,
        'BENCH_RUSAGE_FILE': os.path.join(parent, 'rusage.json'),
    }
    os.makedirs(env['HOME'])
    try:
        repo = make_repo(parent, n, c, env)
        if label == 'floor':
            cmd = ['sh', FLOOR, str(n), str(c), 'sleep 0.2']
        else:
            cmd = ['node', '--import', RUSAGE_HOOK, os.path.join(checkout, 'bin', 'wo.cjs'), 'run', 'workers.yaml']
        before = children_cpu()
        t0 = time.monotonic()
        code = subprocess.run(cmd, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        wall = time.monotonic() - t0
        subprocess.run(['tmux', '-L', sock, 'kill-server'], stderr=subprocess.DEVNULL)
        while True:  # the server and anything else reparented here
            try:
                os.wait()
            except ChildProcessError:
                break
        tree = children_cpu() - before
        own = 0.0
        try:
            with open(env['BENCH_RUSAGE_FILE']) as f:
                ru = json.load(f)
            own = (ru['userCPUTime'] + ru['systemCPUTime']) / 1e6
        except (OSError, ValueError, KeyError):
            pass
        return wall, tree, own, code
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    reps, n, c = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    sides = [a.split('=', 1) for a in sys.argv[4:]]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit('tree-cpu: cannot become a child subreaper (Linux only)')
    res = {label: [] for label, _ in sides}
    load0 = os.getloadavg()[0]
    for i in range(reps):
        for label, checkout in sides if i % 2 == 0 else list(reversed(sides)):
            wall, tree, own, code = once(label, checkout, n, c)
            res[label].append((wall, tree, own))
            print(f'rep {i + 1} {label:10s} wall {wall:6.2f} s  tree CPU {tree:6.2f} s  wo CPU {own:5.2f} s'
                  f'{"" if code == 0 else f"  exit {code}"}', file=sys.stderr, flush=True)
    print(f'N={n} C={c}, {reps} reps; load average {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end')
    med = lambda v, k: statistics.median(x[k] for x in v)
    for label, v in res.items():
        print(f'{label:10s} wall {med(v, 0):5.2f} s  tree CPU {med(v, 1):5.2f} s (min {min(x[1] for x in v):.2f})'
              f'  wo CPU {med(v, 2):5.2f} s   (medians)')


main()
