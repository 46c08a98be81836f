package org.dtheta.mnist;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.dtheta.core.ProgressListener;

/**
 * A progress bar with an ETA on stderr, or nothing at all when stderr is not a terminal (logs and
 * pipes stay clean) or the user asked for {@code --quiet}.
 */
final class Progress implements ProgressListener, AutoCloseable {

  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar for {@code total} units of {@code task}, or a silent one when {@code quiet}. */
  static Progress start(String task, long total, String unit, boolean quiet) {
    return start(task, total, unit, quiet, 0);
  }

  /**
   * A bar for {@code total} units of which {@code done} are done already (a resumed job): the
   * speed and ETA count only the units done from now on.
   */
  static Progress start(String task, long total, String unit, boolean quiet, long done) {
    if (quiet || System.console() == null) {
      return new Progress(null);
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" " + unit, 1)
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .setUpdateIntervalMillis(500)
            .startsFrom(done, Duration.ZERO)
            .showSpeed()
            .setEtaFunction(
                state ->
                    state.getCurrent() - state.getStart() <= 0
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(
                            Duration.between(state.getStartInstant(), java.time.Instant.now())
                                .multipliedBy(state.getMax() - state.getCurrent())
                                .dividedBy(state.getCurrent() - state.getStart())
                                .truncatedTo(ChronoUnit.SECONDS)))
            .build();
    return new Progress(bar);
  }

  /** Sets how many units are done. */
  void set(long done) {
    if (bar != null) {
      bar.stepTo(done);
    }
  }

  @Override
  public void update(long done, long total) {
    if (bar != null) {
      bar.maxHint(total);
      bar.stepTo(done);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
