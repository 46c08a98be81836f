package org.dtheta.spark;

import java.io.PrintWriter;
import java.util.Locale;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of a job on the driver's stderr: a line each time a task ends, with the tasks done,
 * the elapsed time and an ETA from the mean time per task so far; failed attempts say why (Spark
 * retries them up to spark.task.maxFailures, or local[N,F]).
 */
final class SweepProgress extends SparkListener {

  private final String job;
  private final String unit;
  private final int total;
  private final PrintWriter err;
  private final long start = System.nanoTime();
  private int done;

  SweepProgress(String job, String unit, int total, PrintWriter err) {
    this.job = job;
    this.unit = unit;
    this.total = total;
    this.err = err;
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    double elapsed = (System.nanoTime() - start) * 1e-9;
    if (!end.taskInfo().successful()) {
      err.printf(Locale.ROOT, "%s: task %d attempt %d failed (%s); Spark retries it%n", job,
          end.taskInfo().index(), end.taskInfo().attemptNumber(), end.reason().toString()
              .lines().findFirst().orElse("?"));
      err.flush();
      return;
    }
    done++;
    double eta = elapsed / done * (total - done);
    err.printf(Locale.ROOT, "%s: %d/%d %s done, %s elapsed, ETA %s%n", job, done, total, unit,
        clock(elapsed), done == total ? "0s" : clock(eta));
    err.flush();
  }

  private static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
