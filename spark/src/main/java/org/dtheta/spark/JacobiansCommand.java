package org.dtheta.spark;

import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.mnist.TrainedRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtheta-spark jacobians}: the whole Df of a run at several steps as one Zarr v2 group,
 * its row panels computed by Spark tasks in parallel, each exactly as {@code dtheta jacobian}
 * computes that panel (the same code from the same panel boundary, so the same bits).
 */
@Command(
    name = "jacobians",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The exact Df(theta_t) = I - alpha*Hess L(theta_t) at saved steps of a training run, as a"
          + " Zarr v2 group: one array step_<t> per step, float64 little-endian, C order, P x P in"
          + " chunks of whole row panels (one file <i>.0 per panel, written by one Spark task),"
          + " no compression; attributes give the step, alpha and the parameter layout. Rows equal"
          + " 'dtheta jacobian --run DIR --step t --panel-rows N' bit for bit.",
      "Chunks land under temporary names and are renamed; each array's .zarray is written after"
          + " all its chunks and the group's .zgroup last, so a group is complete or not a group."
          + " Rerun the same command to resume: chunks already there are kept."
    })
final class JacobiansCommand implements Callable<Integer> {

  /** The job record in the group: a rerun resumes only a job of equal inputs. */
  static final String JOB_FILE = ".dtheta-job.json";

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A training run's folder.")
  Path run;

  @Option(names = "--steps", required = true, split = ",", paramLabel = "T",
      description = "Saved steps of the run, comma-separated.")
  List<Integer> steps;

  @Option(names = "--out", required = true, paramLabel = "OUT.zarr",
      description = "The Zarr group: a local path or any Hadoop URI (file:///..., hdfs://...,"
          + " s3a://...); created, never overwritten.")
  String out;

  @Option(names = "--panel-rows", paramLabel = "N",
      description = "Rows per chunk (one task each). Default: about 128 MB per chunk, as dtheta"
          + " jacobian's panels.")
  Integer panelRows;

  @Option(names = "--data", paramLabel = "DIR",
      description = "MNIST folder. Default: the one the run was trained on (run.json).")
  Path data;

  @Mixin SparkOptions spark;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    spark.check();
    if (panelRows != null && panelRows < 1) {
      throw new IllegalArgumentException("--panel-rows must be >= 1, not " + panelRows);
    }
    if (new HashSet<>(steps).size() != steps.size()) {
      throw new IllegalArgumentException("--steps lists a step twice: " + steps);
    }
    TrainedRun trained = TrainedRun.open(run);
    int p = trained.parameters();
    int rows = panelRows != null ? Math.min(panelRows, p) : trained.defaultPanelRows();
    Map<Integer, double[]> thetas = new LinkedHashMap<>();
    for (int t : steps) {
      thetas.put(t, trained.theta(t)); // an unsaved step or a non-finite theta: exit 2, naming it
    }
    Path dataFolder = data != null ? data : trained.dataFolder();
    if (dataFolder == null) {
      throw new IllegalArgumentException("--data: " + run + "/run.json records no MNIST folder;"
          + " give it with --data");
    }
    MnistBytes mnist = MnistBytes.read(dataFolder, trained.k());
    JacobianPanels job = new JacobianPanels(run.toAbsolutePath().toString(), trained.configJson(), p, rows,
        trained.jacobianMethod().name(), Kernels.implementationName());
    Map<String, Object> inputs = inputs(trained, job, thetas, mnist);

    HadoopFolder store = HadoopFolder.at(out, spark.hadoopConfiguration());
    FileSystem fs = store.fileSystem();
    String recorded = store.length(fs, JOB_FILE) >= 0 ? store.readString(fs, JOB_FILE) : null;
    if (recorded == null && fs.exists(store.path(""))) {
      throw new IllegalArgumentException("--out " + store.root() + " exists and is not an unfinished"
          + " jacobians job; choose another --out (nothing is overwritten)");
    }
    if (recorded != null && !JsonParser.parseString(recorded)
        .equals(JsonParser.parseString(HadoopFolder.JSON.toJson(inputs)))) {
      throw new IllegalArgumentException("--out " + store.root() + " holds a jacobians job of other"
          + " inputs (" + store.path(JOB_FILE) + "); rerun with the same options or choose"
          + " another --out");
    }
    if (recorded != null && store.length(fs, ".zgroup") >= 0) {
      err.println("jacobians: " + store.root() + " is complete; nothing to do");
      err.flush();
      return 0;
    }
    if (recorded == null) {
      fs.mkdirs(store.path(""));
      store.writeJson(fs, JOB_FILE, inputs);
    }
    List<JacobianPanels.Chunk> todo = new ArrayList<>();
    int chunks = (p + rows - 1) / rows;
    for (int t : steps) {
      for (int i = 0; i < chunks; i++) {
        JacobianPanels.Chunk c = new JacobianPanels.Chunk(t, i);
        if (store.length(fs, c.name()) != job.chunkBytes()) {
          todo.add(c);
        }
      }
    }
    err.printf(Locale.ROOT, "jacobians: %d steps x %d chunks of %d rows (P = %d, %s), %d to do on %s%n",
        steps.size(), chunks, rows, p, job.method().toLowerCase(Locale.ROOT), todo.size(), spark.master());
    err.flush();
    long t0 = System.nanoTime();
    if (!todo.isEmpty()) {
      try (JavaSparkContext sc = spark.start("dtheta jacobians " + store.root())) {
        sc.sc().addSparkListener(new SweepProgress("jacobians", "chunks", todo.size(), err));
        Broadcast<MnistBytes> bytes = sc.broadcast(mnist);
        Broadcast<Map<Integer, double[]>> points = sc.broadcast(thetas);
        HadoopFolder shipped = HadoopFolder.at(store.root(), sc.hadoopConfiguration());
        sc.parallelize(todo, todo.size())
            .foreach(c -> job.write(c, points.value().get(c.step()), bytes.value(), shipped));
      }
    }
    // metadata after the chunks, the group last: a reader never opens a partial array
    for (int t : steps) {
      store.writeJson(fs, "step_" + t + "/.zattrs", attributes(trained, job, t, thetas.get(t)));
      store.writeJson(fs, "step_" + t + "/.zarray", job.zarray());
    }
    Map<String, Object> group = provenance(trained, job);
    group.put("steps", steps);
    store.writeJson(fs, ".zattrs", group);
    store.writeJson(fs, ".zgroup", Map.of("zarr_format", 2));
    err.printf(Locale.ROOT, "jacobians: wrote %s in %.1f s%n", store.root(), (System.nanoTime() - t0) * 1e-9);
    err.flush();
    return 0;
  }

  /** What every Df of the job comes from: the run, its network and data size, and how. */
  private static Map<String, Object> provenance(TrainedRun trained, JacobianPanels job) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alpha", trained.lr());
    m.put("parameters", job.p());
    m.put("architecture", trained.architecture());
    m.put("k", trained.k());
    m.put("method", job.method().toLowerCase(Locale.ROOT));
    m.put("kernels", job.kernels());
    m.put("run", job.run());
    return m;
  }

  /** Everything the chunks depend on: a rerun resumes only with equal inputs. */
  private static Map<String, Object> inputs(TrainedRun trained, JacobianPanels job,
      Map<Integer, double[]> thetas, MnistBytes mnist) throws Exception {
    Map<String, Object> m = provenance(trained, job);
    m.put("panel_rows", job.rows());
    m.put("mnist_sha256", mnist.sha256());
    Map<String, String> shas = new LinkedHashMap<>();
    for (Map.Entry<Integer, double[]> e : thetas.entrySet()) {
      shas.put("step_" + e.getKey(), sha256(e.getValue()));
    }
    m.put("theta_sha256", shas);
    return m;
  }

  /** An array's attributes: where it comes from and how to read its rows and columns. */
  private static Map<String, Object> attributes(TrainedRun trained, JacobianPanels job, int step,
      double[] theta) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", step);
    m.putAll(provenance(trained, job));
    m.put("theta_sha256", sha256(theta));
    m.put("layout", trained.layout());
    m.put("_ARRAY_DIMENSIONS", List.of("row", "column")); // xarray's names for the two axes
    return m;
  }

  private static String sha256(double[] values) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(JacobianPanels.littleEndian(values, 0, values.length, values.length));
    return java.util.HexFormat.of().formatHex(md.digest());
  }
}
