package org.dtheta.benchmarks;

import java.util.concurrent.TimeUnit;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * First-order work of training ({@link NetProblem}): the loss and its gradient at a fresh
 * point ({@link TwoLayerNet#lossAndGradient}, one forward and one reverse sweep), and one
 * gradient-descent step {@code theta <- theta - alpha grad L(theta)} ({@link UpdateMap#apply})
 * applied to its own result, as a training loop does.
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

  /** One step in place on {@code otherTheta}; returns the loss before the step. */
  @Benchmark
  public double step(NetProblem p) {
    return p.map.apply(p.otherTheta, p.otherTheta, p.gradient);
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
}
