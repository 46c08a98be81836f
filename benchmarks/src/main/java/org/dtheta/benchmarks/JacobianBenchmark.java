package org.dtheta.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.dtheta.core.ProgressListener;
import org.dtheta.nn.HessianPanels;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.PanelSink;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.structured.StructuredHessianPanels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole update Jacobian {@code Df = I - alpha Hess L} ({@code P x P}, 12.6 GB for MNIST) by
 * the structured Hessian, exactly as the CLI's {@code jacobian} command computes it ({@link
 * UpdateMap#writeDense} with {@link JacobianMethod#STRUCTURED} and 128 MiB panels), into a sink that only
 * reads each panel. Single shot: one run takes seconds to minutes. The work grows linearly in
 * {@code k} on top of a part that does not (the {@code P^2} panel entries), so {@code
 * benchmarks/report} runs it at reduced {@code k} ({@code -p k=3750,7500,15000}) and
 * extrapolates to 60000; the default is the full MNIST size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 1)
@Fork(
    value = 1,
    jvmArgsPrepend = "--add-modules=jdk.incubator.vector",
    jvmArgsAppend = {"-Xmx8g", "-Xms8g", "-XX:+AlwaysPreTouch"})
public class JacobianBenchmark {

  /** Sum of each panel's last entry, so that the panels are observably read. */
  private double checksum;

  /** Streams {@code Df(theta)}; returns the checksum. */
  @Benchmark
  public double structuredDf(NetProblem p) throws IOException {
    int panelRows = StructuredHessianPanels.panelRows(p.hidden, p.theta.length,
        HessianPanels.DEFAULT_PANEL_BYTES);
    PanelSink discard = (first, rows, panel) -> checksum += panel[panel.length - 1];
    p.map.writeDense(p.theta, JacobianMethod.STRUCTURED, discard, panelRows, ProgressListener.NONE);
    return checksum;
  }
}
