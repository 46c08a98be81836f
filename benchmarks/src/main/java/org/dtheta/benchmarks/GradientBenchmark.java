package org.dtheta.benchmarks;

import java.util.concurrent.TimeUnit;
import org.dtheta.core.Gradients;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Value and gradient of the two-layer-shaped loss ({@link TwoLayerProblem}) by one forward and
 * one reverse sweep, the unit of work of a gradient-descent step.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector", jvmArgsAppend = "-Xmx6g")
public class GradientBenchmark {

  /** Returns the loss; the gradient lands in the state (and so escapes). */
  @Benchmark
  public double gradient(TwoLayerProblem p) {
    return Gradients.valueAndGradient(p.loss, p.theta, p.gradient);
  }
}
