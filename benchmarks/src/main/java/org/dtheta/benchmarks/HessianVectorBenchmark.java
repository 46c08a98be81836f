package org.dtheta.benchmarks;

import java.util.concurrent.TimeUnit;
import org.dtheta.core.Hessians;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward-over-reverse second derivatives of the two-layer-shaped loss ({@link
 * TwoLayerProblem}): one Hessian-vector product, and the Hessian times {@code m} directions in
 * one sweep (the block the update-Jacobian drivers are built from). Each includes its forward
 * and reverse sweep, as the drivers do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector", jvmArgsAppend = "-Xmx6g")
public class HessianVectorBenchmark {

  /** One direction. */
  @State(Scope.Benchmark)
  public static class One {
    double[] v;
    double[] hv;

    /** A random direction and the output buffer. */
    @Setup(Level.Trial)
    public void setUp(TwoLayerProblem p) {
      v = p.directions(1, 3);
      hv = new double[p.theta.length];
    }
  }

  /** {@code m} directions, {@code P x m}. */
  @State(Scope.Benchmark)
  public static class Block {
    /** Directions per sweep. */
    @Param({"50"})
    public int m;

    double[] v;
    double[] hv;

    /** Random directions and the output buffer. */
    @Setup(Level.Trial)
    public void setUp(TwoLayerProblem p) {
      v = p.directions(m, 5);
      hv = new double[v.length];
    }
  }

  /** {@code H v}: returns the loss, {@code H v} lands in the state. */
  @Benchmark
  public double hvp(TwoLayerProblem p, One d) {
    return Hessians.hessianVectorProduct(p.loss, p.theta, d.v, null, d.hv);
  }

  /** {@code H V} for {@code m} directions in one sweep. */
  @Benchmark
  public double hessianTimesV(TwoLayerProblem p, Block d) {
    return Hessians.hessianMatrixProduct(p.loss, p.theta, d.v, d.m, null, d.hv);
  }
}
