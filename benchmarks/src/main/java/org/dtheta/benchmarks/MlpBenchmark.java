package org.dtheta.benchmarks;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.Presets;
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
 * The general network of any depth ({@link Mlp}) on the same MNIST-like samples as {@link
 * NetProblem}: the gradient at a fresh point, {@code H v} at a fixed point and {@code H V} with
 * {@code m} directions at a fixed point. With {@code sizes = 784-50-10} (sigmoid) it is the
 * two-layer net of the other benchmarks through the general path, so its rows read against
 * theirs; {@code 784-50-50-10} adds a hidden layer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsPrepend = "--add-modules=jdk.incubator.vector",
    jvmArgsAppend = {"-Xmx6g", "-Xms6g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class MlpBenchmark {

  /** Samples. */
  @Param({"60000"})
  public int k;

  /** Layer widths, input to output, separated by '-'. */
  @Param({"784-50-10", "784-50-50-10"})
  public String sizes;

  /** The samples: {@code random} (MNIST-like) or {@code mnist}, as {@link NetProblem}. */
  @Param({"random"})
  public String data;

  /** Directions of {@link #mlpHessianTimesV}. */
  @Param({"50"})
  public int m;

  private Mlp net;
  private double[] theta;
  private double[] otherTheta;
  private boolean atOther;
  private double[] gradient;
  private double[] one;
  private double[] oneOut;
  private double[] block;
  private double[] blockOut;

  /** Builds data, net, points and directions. */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    int[] widths = Arrays.stream(sizes.split("-")).mapToInt(Integer::parseInt).toArray();
    Random rnd = new Random(7);
    net = new Mlp(widths, Activation.SIGMOID, Presets.mnist().l2(),
        NetProblem.samples(data, k, Presets.mnist(), rnd));
    int p = net.dimension();
    theta = NetProblem.gaussian(rnd, p, 0.05);
    otherTheta = theta.clone();
    otherTheta[0] += 1e-3;
    gradient = new double[p];
    one = NetProblem.gaussian(new Random(3), p, 1.0);
    oneOut = new double[p];
    block = NetProblem.gaussian(new Random(5), Math.multiplyExact(p, m), 1.0);
    blockOut = new double[block.length];
  }

  /** The loss and its gradient at a fresh point (alternating between two). */
  @Benchmark
  public double[] mlpGradient() {
    atOther = !atOther;
    net.lossAndGradient(atOther ? otherTheta : theta, gradient);
    return gradient;
  }

  /** {@code H v} at a fixed point: the tangent sweeps only. */
  @Benchmark
  public double[] mlpHvp() {
    net.hessianTimes(theta, one, 1, oneOut);
    return oneOut;
  }

  /** {@code H V} for {@code m} directions at a fixed point. */
  @Benchmark
  public double[] mlpHessianTimesV() {
    net.hessianTimes(theta, block, m, blockOut);
    return blockOut;
  }
}
