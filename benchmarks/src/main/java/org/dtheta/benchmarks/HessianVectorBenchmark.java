package org.dtheta.benchmarks;

import java.util.concurrent.TimeUnit;
import org.dtheta.nn.TwoLayerNet;
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
 * Forward-over-reverse Hessian products of the network's loss ({@link NetProblem}) through
 * {@link TwoLayerNet#hessianTimes}: one direction at a fresh point (gradient sweeps included),
 * one direction at a fixed point (the net keeps the gradient's sweeps, as in Lanczos), and
 * {@code m} directions at a fixed point (the building block of dense Jacobians; at k = 60000
 * it runs over parts of the batch, one set of tangent buffers handed from part to part and kept
 * from one call to the next).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsPrepend = "--add-modules=jdk.incubator.vector",
    jvmArgsAppend = {"-Xmx6g", "-Xms6g", "-XX:+AlwaysPreTouch"})
public class HessianVectorBenchmark {

  /** {@code m} random directions and the output buffer, {@code P x m}. */
  @State(Scope.Benchmark)
  public static class Directions {
    /** Directions per product (1 for the single-vector benchmarks, whatever this says). */
    @Param({"50"})
    public int m;

    double[] one;
    double[] oneOut;
    double[] block;
    double[] blockOut;

    /** Random directions. */
    @Setup(Level.Trial)
    public void setUp(NetProblem p) {
      one = p.directions(1, 3);
      oneOut = new double[one.length];
      block = p.directions(m, 5);
      blockOut = new double[block.length];
    }
  }

  /** {@code H v} at a fresh point: forward, reverse and both tangent sweeps. */
  @Benchmark
  public double[] hvpFresh(NetProblem p, Directions d) {
    p.net.hessianTimes(p.nextPoint(), d.one, 1, d.oneOut);
    return d.oneOut;
  }

  /** {@code H v} at a fixed point: the tangent sweeps only. */
  @Benchmark
  public double[] hvp(NetProblem p, Directions d) {
    p.net.hessianTimes(p.theta, d.one, 1, d.oneOut);
    return d.oneOut;
  }

  /** {@code H V} for {@code m} directions at a fixed point. */
  @Benchmark
  public double[] hessianTimesV(NetProblem p, Directions d) {
    p.net.hessianTimes(p.theta, d.block, d.m, d.blockOut);
    return d.blockOut;
  }
}
