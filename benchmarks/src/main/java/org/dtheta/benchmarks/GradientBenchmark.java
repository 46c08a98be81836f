package org.dtheta.benchmarks;

import java.util.concurrent.TimeUnit;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * First-order work of training ({@link NetProblem}): the loss and its gradient at a fresh
 * point ({@link TwoLayerNet#lossAndGradient}, one forward and one reverse sweep), and one
 * gradient-descent step {@code theta <- theta - alpha grad L(theta)} ({@link UpdateMap#apply})
 * applied to its own result, as a training loop does; and the two back to back, for the step's
 * target of at most 5% over the gradient.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsPrepend = "--add-modules=jdk.incubator.vector",
    jvmArgsAppend = {"-Xmx6g", "-Xms6g", "-XX:+AlwaysPreTouch"})
public class GradientBenchmark {

  /** Returns the loss; the gradient lands in the state. Alternates points (no cache hits). */
  @Benchmark
  public double gradient(NetProblem p) {
    return p.net.lossAndGradient(p.nextPoint(), p.gradient);
  }

  /** One step in place on {@code trajectory}; returns the loss before the step. */
  @Benchmark
  public double step(NetProblem p) {
    return p.map.apply(p.trajectory, p.trajectory, p.gradient);
  }

  /**
   * What a step does beyond the gradient ({@link UpdateMap#step}, {@code theta - alpha grad}
   * over the parameters), into a buffer of its own so that theta does not drift. Measured apart
   * because the step's 5% allowance over the gradient is below the drift between forks.
   */
  @Benchmark
  public double[] stepUpdate(NetProblem p) {
    p.map.step(p.theta, p.gradient, p.stepped);
    return p.stepped;
  }

  /**
   * One gradient and one GD step timed back to back, which of the two goes first alternating
   * from pair to pair; their times summed per iteration in {@link PairedTimes}. The step's target
   * is a ratio of 1.05 to the gradient, below what separates two forks (up to 15%) or two minutes
   * of this machine (10-20%); the two members of a pair run in the same fork, on the same
   * compiled code, seconds apart, so the report compares them iteration by iteration. Returns
   * the sum of the two losses.
   */
  @Benchmark
  public double stepAgainstGradient(NetProblem p, PairedTimes times) {
    boolean stepFirst = times.nextPairStartsWithStep;
    times.nextPairStartsWithStep = !stepFirst;
    double losses = 0.0;
    for (int turn = 0; turn < 2; turn++) {
      boolean isStep = (turn == 0) == stepFirst;
      long start = System.nanoTime();
      losses += isStep ? step(p) : gradient(p);
      long elapsed = System.nanoTime() - start;
      if (isStep) {
        times.stepNanos += elapsed;
      } else {
        times.gradientNanos += elapsed;
      }
    }
    return losses;
  }

  /**
   * The times of {@link #stepAgainstGradient}, reported by JMH per iteration as secondary
   * results {@code gradientNanos} and {@code stepNanos} (sums over the iteration's pairs).
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class PairedTimes {
    /** Nanoseconds spent in gradients during the current iteration. */
    public long gradientNanos;
    /** Nanoseconds spent in GD steps during the current iteration. */
    public long stepNanos;
    /** Which of the two the next pair times first (kept across iterations). */
    boolean nextPairStartsWithStep;

    /** Starts the sums of an iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      gradientNanos = 0;
      stepNanos = 0;
    }
  }
}
