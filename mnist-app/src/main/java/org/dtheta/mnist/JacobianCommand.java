package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dtheta.mnist.plot.Plots;
import java.util.List;
import org.dtheta.nn.Activation;
import org.dtheta.nn.Curvature;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyFormatException;
import org.dtheta.nn.io.NpyReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dtheta jacobian}: the update Jacobian at one point, whole, one block, or times V. */
@Command(
    name = "jacobian",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The exact Jacobian Df(theta) = I - alpha*Hess L(theta) of one gradient-descent step,"
          + " at a step of a training run or at parameters from a file.",
      "Writes float64 .npy: the whole P x P matrix (streamed by row panels; 12.6 GB for the"
          + " 784-50-10 net, free disk space is checked first), one block with a heat map PNG"
          + " beside it, or the product Df*V. Rows and columns follow theta's order: W1"
          + " (row-major), b1, W2 (row-major), b2."
    })
final class JacobianCommand implements Callable<Integer> {

  /** Where theta comes from. */
  static final class At {
    @ArgGroup(exclusive = false, multiplicity = "1")
    FromRun run;

    @Option(names = "--theta", required = true, paramLabel = "FILE.npy",
        description = "Parameters theta, float64 shape (P,) (e.g. a row of a trajectory).")
    Path theta;
  }

  /** A step of a training run. */
  static final class FromRun {
    @Option(names = "--run", required = true, paramLabel = "DIR",
        description = "A training run's output folder.")
    Path dir;

    @Option(names = "--step", required = true, paramLabel = "T",
        description = "A saved step of that run (a multiple of its --save-every).")
    int step;
  }

  /** What part of Df. */
  static final class Part {
    @Option(names = "--block", paramLabel = "R,C",
        description = "Only block (R, C) of Df, R and C among W1, b1, W2, b2 (e.g. W2,b2);"
            + " in deeper nets also W3, b3, ... up to the output layer.")
    String block;

    @Option(names = "--times", paramLabel = "V.npy",
        description = "Only the product Df*V, V of shape (P, m) or (P,); the output has V's shape.")
    Path times;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  At at;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Part part;

  @Option(names = "--k", paramLabel = "N",
      description = "Training images in the loss (the first N). Default: the run's, or 60000 with --theta.")
  Integer k;

  @Option(names = "--hidden", paramLabel = "H1,H2,...",
      description = "Hidden widths (e.g. 50 or 32,16). Default: the run's, or with --theta the one"
          + " hidden layer its length implies; required with --theta for deeper nets.")
  String hidden;

  @Option(names = "--activation", paramLabel = "NAME",
      description = "Hidden activation: sigmoid, tanh or relu. Default: the run's, or sigmoid with"
          + " --theta.")
  String activation;

  @Option(names = "--lr", paramLabel = "ALPHA",
      description = "Learning rate alpha in Df = I - alpha*Hess L. Default: the run's, or 0.1 with --theta.")
  Double lr;

  @Option(names = "--method", paramLabel = "METHOD",
      description = "How the whole matrix or a block is computed: ${COMPLETION-CANDIDATES}"
          + " (structured: the Kronecker-structured Hessian of the one-hidden-layer sigmoid net,"
          + " fast; hvp: batched Hessian-vector products, any depth, the general reference)."
          + " --times always uses Hessian-vector products, --gauss-newton always hvp. Default:"
          + " the fastest exact method for the network (structured for 784-H-10 sigmoid, hvp"
          + " otherwise).")
  JacobianMethod method;

  @Option(names = "--gauss-newton",
      description = "Use the Gauss-Newton matrix G instead of Hess L: Df_GN = I - alpha*G.")
  boolean gaussNewton;

  @Option(names = "--panel-rows", paramLabel = "N",
      description = "Rows per panel when streaming the whole matrix. Default: about 128 MB per panel"
          + " (whole pixels on the structured route).")
  Integer panelRows;

  @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Output file.")
  Path out;

  @Option(names = "--verify", defaultValue = "0", paramLabel = "N",
      description = "After writing the whole matrix, compare N sampled rows (one from each"
          + " parameter block first) with exact Hessian-vector products; fails above a relative"
          + " difference of 1e-10 (default: ${DEFAULT-VALUE}).")
  int verify;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Mixin DataOptions data;

  @Spec CommandSpec spec;

  /** The block of {@code --block}, parsed with the other options. */
  private BlockName[] blocks;

  /** {@code --hidden} and {@code --activation}, parsed, or null. */
  private List<Integer> widths;

  private Activation act;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    checkOptions();
    Path runDir = at.run != null ? at.run.dir : null;
    try (OutputGuard guard = guard(runDir).claim()) {
      Point point = Point.resolve(runDir, at.run != null ? at.run.step : 0, at.theta, k, widths,
          act, lr, data, needs(), log);
      Model model = point.model();
      if (blocks != null) {
        BlockName.require(blocks, model.arch(), "--block", part.block);
      }
      if (method == null) {
        method = model.map().fastestMethod();
      } else if (!model.map().supports(method)) {
        throw new IllegalArgumentException("--method structured works for one hidden layer only"
            + " (the 784-H-10 sigmoid net), not the " + model.arch().describe() + " net; use"
            + " --method hvp (or leave --method out)");
      }
      if (verify > model.parameters()) {
        throw new IllegalArgumentException("--verify " + verify + " exceeds the " + model.parameters()
            + " rows of Df; give at most that many rows to check");
      }
      compute(point, model, log);
    }
    return 0;
  }

  /** Every check of the options alone, before any file is read or anything is computed. */
  private void checkOptions() throws IOException {
    if (out.toString().isBlank()) {
      throw new IllegalArgumentException("--out must name the .npy file to write, not '" + out + "'");
    }
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a folder; name the .npy file to write"
          + " in it (e.g. " + out.resolve("Df.npy") + ")");
    }
    AtomicFiles.requireFolder(AtomicFiles.folderOf(out));
    if (verify < 0) {
      throw new IllegalArgumentException("--verify must be >= 0 (rows to check), not " + verify);
    }
    if (verify > 0 && (part != null || gaussNewton)) {
      throw new IllegalArgumentException("--verify checks the whole Hessian-based Df; drop --block,"
          + " --times and --gauss-newton, or drop --verify");
    }
    if (panelRows != null && panelRows < 1) {
      throw new IllegalArgumentException("--panel-rows must be >= 1, not " + panelRows);
    }
    if (part != null && part.block != null) {
      blocks = parseBlock(part.block, "--block");
    }
    if (hidden != null) {
      widths = Architecture.parseHidden(hidden, "--hidden");
    }
    if (activation != null) {
      act = Architecture.parseActivation(activation, "--activation");
    }
  }

  /** {@code R,C}: two block names, e.g. {@code W2,b2}; {@code option} names it in errors. */
  static BlockName[] parseBlock(String text, String option) {
    return BlockName.parsePair(text, option);
  }

  /** The heap this command needs beyond the model. */
  private Model.Needs needs() throws IOException {
    String how = method == null ? "" : method == JacobianMethod.STRUCTURED && !gaussNewton
        ? " (structured)" : " (hvp)";
    if (blocks != null) {
      return new Model.Needs("Df block " + part.block + how, "--k",
          (k, a) -> {
            long p = a.parameters();
            BlockName.require(blocks, a, "--block", part.block);
            long r = blocks[0].length(a.layout());
            long c = blocks[1].length(a.layout());
            return MemoryCheck.jacobian(k, a.hiddenSum(), p, 0, structured(a)) + 8L * (r + p) * c;
          });
    }
    if (part != null && part.times != null) {
      long[] shape = Npy.header(part.times).shape();
      long m = shape.length == 1 ? 1 : shape[1];
      return new Model.Needs("Df*V with " + m + " directions", "--k or the columns of --times",
          (k, a) -> MemoryCheck.product(k, a.hiddenSum(), a.parameters(), m),
          gaussNewton ? 0 : (int) Math.min(m, Integer.MAX_VALUE));
    }
    return new Model.Needs("the whole Df" + how, "--k or --panel-rows",
        (k, a) -> {
          long p = a.parameters();
          return MemoryCheck.jacobian(k, a.hiddenSum(), p, panelRows(a), structured(a));
        });
  }

  /** Rows per panel of a whole Df of {@code arch}: {@code --panel-rows}, or its default. */
  private int panelRows(Architecture arch) {
    return panelRows != null ? Math.min(arch.parameters(), panelRows)
        : arch.defaultPanelRows(structured(arch));
  }

  /** Whether the structured route will run for {@code arch} (explicitly, or by default). */
  private boolean structured(Architecture arch) {
    return !gaussNewton && arch.twoLayer()
        && (method == null || method == JacobianMethod.STRUCTURED);
  }

  /** This command's inputs and outputs. */
  private OutputGuard guard(Path runDir) {
    OutputGuard guard = OutputGuard.of(spec).input("--theta", at.theta)
        .input("--times", part != null ? part.times : null).output("--out", out);
    if (runDir != null) {
      RunDir run = new RunDir(runDir);
      guard.input("--run", run.trajectory()).input("--run", run.runJson());
    }
    if (blocks != null) {
      guard.output("--out (its heat map)", siblingPng(out));
    }
    return guard;
  }

  private void compute(Point point, Model model, PrintWriter log) throws IOException {
    double[] theta = point.theta();
    Curvature curvature = gaussNewton ? Curvature.GAUSS_NEWTON : Curvature.HESSIAN;
    String what = (gaussNewton ? "Gauss-Newton update Jacobian" : "Df") + " at " + point.label();
    long t0 = System.nanoTime();
    if (blocks != null) {
      writeBlock(model, curvature, theta, log, what);
    } else if (part != null && part.times != null) {
      writeProduct(model.map(), curvature, theta, log, what);
    } else {
      writeWhole(model, curvature, theta, what);
    }
    if (verify > 0) {
      JacobianCheck.Result result;
      try (NpyReader written = NpyReader.open(out)) {
        result = JacobianCheck.check(model.map(), theta, written,
            JacobianCheck.sampleRows(model.arch().layout(), verify, 1));
      }
      log.println("Checked " + result);
      if (!result.passed()) {
        throw new IllegalStateException(out + ": " + result);
      }
    }
    log.printf(Locale.ROOT, "Computed %s in %.2f s%nWrote %s%n", what, (System.nanoTime() - t0) * 1e-9,
        out.toAbsolutePath());
    log.flush();
  }

  private void writeWhole(Model model, Curvature curvature, double[] theta, String what)
      throws IOException {
    UpdateMap map = model.map();
    int p = map.dimension();
    int rows = panelRows(model.arch());
    PrintWriter log = spec.commandLine().getOut();
    WholeDfJob job = WholeDfJob.start(out,
        WholeDfJob.Inputs.of(map, curvature, method, rows, theta), log);
    int first = job.firstRow();
    try (Progress progress = Progress.start("jacobian", p, "rows", quiet, first)) {
      map.writeDense(curvature, method, theta, job, rows, progress, first);
      job.complete();
    } catch (IOException | RuntimeException | Error e) {
      String note = job.fail();
      if (note != null) {
        System.err.println(note);
      }
      throw e;
    }
  }

  private void writeBlock(Model model, Curvature curvature, double[] theta, PrintWriter log,
      String what) throws IOException {
    UpdateMap map = model.map();
    BlockName row = blocks[0];
    BlockName col = blocks[1];
    Mlp.Layout layout = model.arch().layout();
    int r = row.length(layout);
    int c = col.length(layout);
    double[] block = map.block(curvature, method, theta, row.offset(layout), r, col.offset(layout), c);
    Npy.writeMatrix(out, block, r, c);
    Path png = siblingPng(out);
    String title = "Df block (" + row.label() + ", " + col.label() + ")";
    if (row.equals(col)) {
      // The identity would dominate the colour scale; Df - I = -alpha*Hess L shows the structure.
      double[] shifted = block.clone();
      for (int i = 0; i < r; i++) {
        shifted[i * c + i] -= 1.0;
      }
      block = shifted;
      title = "Df - I, block (" + row.label() + ", " + col.label() + ")";
    }
    Plots.heatMap(png, title + ", " + what, block, r, c,
        row.label() + " index", col.label() + " index");
    log.println("Block (" + row.label() + ", " + col.label() + "): " + r + " x " + c
        + " at theta[" + row.offset(layout) + ".." + (row.offset(layout) + r) + ") x theta["
        + col.offset(layout) + ".." + (col.offset(layout) + c) + "); heat map " + png.toAbsolutePath());
  }

  private void writeProduct(UpdateMap map, Curvature curvature, double[] theta, PrintWriter log,
      String what) throws IOException {
    int p = map.dimension();
    long[] shape;
    double[] v;
    try (NpyReader r = NpyReader.open(part.times)) {
      shape = r.header().shape();
      if (shape[0] != p) {
        throw new NpyFormatException(part.times, "shape " + r.header().shapeText() + ", expected (" + p
            + ",) or (" + p + ", m) for --times: V's rows are theta's " + p + " components");
      }
      v = r.requireFinite(r.readAll(), 0, "--times (the directions V)");
    }
    int m = shape.length == 1 ? 1 : (int) shape[1];
    double[] product = new double[v.length];
    // Chunks of the net's directions per sweep: memory grows with the directions carried.
    int chunk = Math.max(1, map.directionsPerSweep());
    if (m >= 1 && m <= chunk) {
      // one sweep takes V as it is: no chunk copies in or out
      map.jacobianTimes(curvature, theta, v, m, product);
    } else {
      multiplyInChunks(map, curvature, theta, v, m, chunk, product);
    }
    Npy.write(out, product, shape);
    log.println("Product Df*V with V " + (shape.length == 1 ? "(" + p + ",)" : "(" + p + ", " + m + ")"));
  }

  /** {@code product = Df V} for {@code m} directions, {@code chunk} at a time through copies. */
  private void multiplyInChunks(UpdateMap map, Curvature curvature, double[] theta, double[] v, int m,
      int chunk, double[] product) {
    int p = map.dimension();
    double[] in = new double[p * Math.min(chunk, Math.max(1, m))];
    double[] res = new double[in.length];
    for (int first = 0; first < m; first += chunk) {
      int count = Math.min(chunk, m - first);
      if (count * p != in.length) {
        in = new double[p * count];
        res = new double[p * count];
      }
      for (int i = 0; i < p; i++) {
        System.arraycopy(v, i * m + first, in, i * count, count);
      }
      map.jacobianTimes(curvature, theta, in, count, res);
      for (int i = 0; i < p; i++) {
        System.arraycopy(res, i * count, product, i * m + first, count);
      }
    }
  }

  /** {@code x.npy} -> {@code x.png} beside it. */
  static Path siblingPng(Path npy) {
    String name = npy.getFileName().toString();
    String base = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    return npy.resolveSibling(base + ".png");
  }
}
