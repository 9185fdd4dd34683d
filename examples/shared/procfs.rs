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

/// User + system CPU time so far of the PostgreSQL backends serving `database` on this host,
/// found by their process title (`postgres: USER DATABASE HOST(PORT) STATE`); zero when
/// PostgreSQL is elsewhere. A backend that exits takes its CPU with it, so read it around a
/// phase whose connections stay open (a pool's).
#[allow(dead_code)]
pub fn postgres_backends_cpu(database: &str) -> Duration {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    let needle = format!(" {database} ");
    dir.flatten()
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| {
                    String::from_utf8_lossy(&c).starts_with("postgres: ")
                        && String::from_utf8_lossy(&c).contains(&needle)
                })
                .unwrap_or(false)
        })
        .map(|e| cpu_time(&e.path().join("stat").to_string_lossy()))
        .sum()
}
