//! What the benchmarks read from /proc: a process's CPU time and the machine's load average.
//! On a shared machine the CPU a measured process used is the steadier figure; the load average
//! says how shared it was.

use std::time::Duration;

/// User + system CPU time of a process from `/proc/PID/stat` (clock ticks of 1/100 s, the Linux
/// value of `CLK_TCK` on x86-64 and arm64); zero when unreadable.
pub fn cpu_time(stat_path: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(stat_path) else {
        return Duration::ZERO;
    };
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The 1-, 5- and 15-minute load averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}
