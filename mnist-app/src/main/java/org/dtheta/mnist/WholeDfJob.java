package org.dtheta.mnist;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.dtheta.core.sparse.SparseKernels;
import org.dtheta.nn.Curvature;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.PanelSink;
import org.dtheta.nn.Mlp;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.NpyHeader;
import org.dtheta.nn.io.NpyMatrixWriter;

/**
 * A whole-Df job that survives being killed: the rows go to {@code <out>.partial} ({@link
 * NpyMatrixWriter}), and after each panel (or each few, when the disk falls behind) they are
 * forced to disk and the progress record {@code <out>.partial.json} is replaced atomically with
 * the rows done and the job's {@link Inputs}. A rerun of the same command finds both, checks that
 * the record's inputs are this job's, that the partial file holds its header and at least the
 * recorded rows, truncates it to them and continues from there ({@link #firstRow()}, always a
 * panel boundary, so the rows come out bit for bit as in an uninterrupted run). A record of other
 * inputs, or one that does not fit the file, makes the job start over, saying so; rows of two jobs
 * are never mixed.
 *
 * <p>SIGTERM and Ctrl-C run a shutdown hook that waits for the panel being recorded, if any, and
 * tells on stderr where the job stopped; the partial file and its record stay. Only a job that
 * failed before recording any row removes them. On completion the partial file is renamed to
 * {@code out} and the record deleted.
 *
 * <p>Panels go to disk on a writer thread of their own, in order, so that the next panels are
 * computed while earlier ones are written and forced: the computing thread hands the panel over
 * ({@link #exchange}, or a copy by {@link #accept}) and waits only when {@link #PANELS_IN_FLIGHT}
 * panels are still being written (panels of pixels that are rarely lit are computed faster than
 * the disk takes them). A write's failure surfaces at a later panel or at {@link #complete()}; the
 * panels after it are not recorded.
 */
final class WholeDfJob implements PanelSink {

  /** Panels handed to the writer thread and not yet written, at most, each in a buffer of its own. */
  static final int PANELS_IN_FLIGHT = 3;

  /** Bytes the writer thread may write before it forces them and records them, at most. */
  static final long FORCE_BYTES = 1L << 30;

  /** The structured route as the record names it (see {@link Inputs#method}). */
  static final String STRUCTURED_VERSION = "structured 2 (second-layer columns by structure)";

  /**
   * Everything the rows depend on; a partial file is resumed only with equal inputs.
   *
   * @param tool the tool's version
   * @param kernels dense kernel implementation (results are bitwise per implementation)
   * @param sparseKernels sparse kernel implementation
   * @param rows P, rows of Df
   * @param cols P, columns of Df
   * @param curvature hessian or gauss-newton
   * @param method how the rows are computed: hvp, or the structured route's version (its
   *     rounding changed when the second-layer columns moved to their Kronecker structure, so a
   *     partial file of the earlier version starts over instead of mixing roundings)
   * @param panelRows rows per panel (panel boundaries fix the batches of directions)
   * @param directionsPerSweep unit directions per Hessian-vector sweep (hvp)
   * @param network the network config (sizes, activation, loss, L2, learning rate)
   * @param k training images in the loss
   * @param thetaSha256 SHA-256 of theta's float64 little-endian bytes
   * @param dataSha256 SHA-256 of the k training inputs and targets as float64 little-endian
   */
  record Inputs(String tool, String kernels, String sparseKernels, long rows,
      long cols, String curvature, String method, int panelRows, int directionsPerSweep,
      String network, int k, String thetaSha256, String dataSha256) {

    /** The inputs of a whole-Df job on {@code map} at {@code theta}. */
    static Inputs of(UpdateMap map, Curvature curvature, JacobianMethod method, int panelRows,
        double[] theta) {
      Dataset data = map.objective() instanceof TwoLayerNet net ? net.data()
          : ((Mlp) map.objective()).data();
      String network = map.objective() instanceof TwoLayerNet net ? net.config().toString()
          : describe((Mlp) map.objective(), map.alpha());
      int p = map.dimension();
      boolean hvp = curvature == Curvature.GAUSS_NEWTON || method == JacobianMethod.HVP;
      return new Inputs(RunInfo.toolVersion(), RunInfo.kernelName(),
          SparseKernels.selected().name(), p, p,
          curvature == Curvature.GAUSS_NEWTON ? "gauss-newton" : "hessian",
          hvp ? "hvp" : STRUCTURED_VERSION, panelRows, hvp ? map.directionsPerSweep() : 0,
          network, data.k(), WholeDfJob.sha256(theta),
          WholeDfJob.sha256(data.x(), data.targets()));
    }

    /** An MLP as the network field records it: sizes, activation, L2 and alpha. */
    private static String describe(Mlp mlp, double alpha) {
      return "Mlp[sizes=" + java.util.Arrays.toString(mlp.layout().sizes()) + ", activation="
          + mlp.activation() + ", output=SOFTMAX, loss=CROSS_ENTROPY, l2=" + mlp.l2()
          + ", learningRate=" + alpha + "]";
    }

    /** SHA-256 of these inputs as JSON: the identity of the job. */
    String sha256() {
      return hex(digest().digest(Json.GSON.toJson(this).getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * The progress record beside the partial file.
   *
   * @param rowsDone rows on disk, forced, from row 0
   * @param inputsSha256 {@link Inputs#sha256()} of {@code inputs}
   * @param inputs what the rows were computed from
   */
  record Record(long rowsDone, String inputsSha256, Inputs inputs) {}

  private final Path out;
  private final Path partial;
  private final Path recordFile;
  private final Inputs inputs;
  private final String inputsSha256;
  private final NpyMatrixWriter writer;
  private final long total;
  private final int firstRow;
  private final Object lock = new Object();
  private final Thread hook;
  private long rowsRecorded;
  private boolean interrupted;
  private boolean ended;
  /** Writes, forces and records panels in order, beside the computing thread. */
  private final ThreadPoolExecutor panelWriter = new ThreadPoolExecutor(1, 1, 0,
      TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
        Thread t = new Thread(runnable, "dtheta-jacobian-writer");
        t.setDaemon(true);
        return t;
      });
  /** The panels being written, oldest first, each with the buffer it holds. */
  private final ArrayDeque<Handed> inFlight = new ArrayDeque<>();
  /** Buffers whose panels are recorded, for the next panels. */
  private final ArrayDeque<double[]> spare = new ArrayDeque<>();
  /** Bytes written since the last force (writer thread only). */
  private long unforced;

  /** A panel handed to the writer thread, and the buffer it is written from. */
  private record Handed(Future<?> write, double[] buffer) {}
  private WholeDfJob(Path out, Inputs inputs, NpyMatrixWriter writer, int firstRow) {
    this.out = out;
    this.partial = NpyMatrixWriter.partialFile(out);
    this.recordFile = recordFile(out);
    this.inputs = inputs;
    this.inputsSha256 = inputs.sha256();
    this.writer = writer;
    this.total = inputs.rows();
    this.firstRow = firstRow;
    this.rowsRecorded = firstRow;
    this.hook = new Thread(this::onShutdown, "dtheta-jacobian-interrupt");
  }

  /** {@code <out>.partial.json}. */
  static Path recordFile(Path out) {
    Path partial = NpyMatrixWriter.partialFile(out);
    return partial.resolveSibling(partial.getFileName() + ".json");
  }

  /**
   * Starts the job writing a {@code P x P} Df to {@code out}: resumes a partial file of the same
   * inputs, or starts over (saying why on {@code log} when a partial file was there).
   */
  static WholeDfJob start(Path out, Inputs inputs, PrintWriter log) throws IOException {
    Path partial = NpyMatrixWriter.partialFile(out);
    Path recordFile = recordFile(out);
    long p = inputs.rows();
    String why = null;
    if (Files.exists(recordFile) || Files.exists(partial)) {
      why = resumable(partial, recordFile, inputs);
      if (why == null) {
        Record record = Json.GSON.fromJson(Files.readString(recordFile), Record.class);
        try {
          NpyMatrixWriter writer = NpyMatrixWriter.resume(out, p, (int) p, record.rowsDone(), true);
          WholeDfJob job = new WholeDfJob(out, inputs, writer, (int) record.rowsDone());
          log.println("Resuming " + out + " at row " + record.rowsDone() + " of " + p);
          log.flush();
          job.begin();
          return job;
        } catch (IOException | RuntimeException e) {
          why = "cannot be resumed (" + e.getMessage() + ")";
        }
      }
      log.println(partial + " " + why + "; starting over");
      log.flush();
    }
    // The record goes first: a partial file without one is never resumed.
    Files.deleteIfExists(recordFile);
    NpyMatrixWriter writer = NpyMatrixWriter.create(out, p, (int) p, true);
    WholeDfJob job = new WholeDfJob(out, inputs, writer, 0);
    try {
      job.writeRecord(0);
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
    job.begin();
    return job;
  }

  /** Null if the partial file and its record can be resumed by a job of {@code inputs}, else why not. */
  private static String resumable(Path partial, Path recordFile, Inputs inputs) {
    if (!Files.exists(partial)) {
      return "is missing (its progress record " + recordFile.getFileName() + " is left)";
    }
    if (!Files.exists(recordFile)) {
      return "has no progress record " + recordFile.getFileName();
    }
    Record record;
    try {
      record = Json.GSON.fromJson(Files.readString(recordFile), Record.class);
    } catch (IOException | RuntimeException e) {
      return "has an unreadable progress record (" + e.getMessage() + ")";
    }
    if (record == null || record.inputs() == null || record.inputsSha256() == null) {
      return "has an incomplete progress record";
    }
    if (!record.inputsSha256().equals(inputs.sha256()) || !record.inputs().equals(inputs)) {
      return "holds a partial Df of other inputs (" + differences(record.inputs(), inputs)
          + " differ)";
    }
    long p = inputs.rows();
    if (record.rowsDone() < 0 || record.rowsDone() > p
        || (record.rowsDone() != p && record.rowsDone() % inputs.panelRows() != 0)) {
      return "has a progress record of " + record.rowsDone() + " rows, not a panel boundary";
    }
    NpyHeader header = NpyHeader.of(p, (int) p);
    long needed = header.dataOffset() + record.rowsDone() * p * Double.BYTES;
    try {
      long size = Files.size(partial);
      if (size < needed) {
        return "has " + size + " bytes, fewer than the " + needed + " of the "
            + record.rowsDone() + " rows its record counts";
      }
    } catch (IOException e) {
      return "cannot be read (" + e.getMessage() + ")";
    }
    return null;
  }

  /** The names of the fields in which two inputs differ. */
  private static String differences(Inputs a, Inputs b) {
    JsonObject ja = Json.GSON.toJsonTree(a).getAsJsonObject();
    JsonObject jb = Json.GSON.toJsonTree(b).getAsJsonObject();
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : jb.entrySet()) {
      if (!e.getValue().equals(ja.get(e.getKey()))) {
        names.add(e.getKey());
      }
    }
    return names.isEmpty() ? "record hash" : String.join(", ", names);
  }

  private void begin() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The first row to compute: 0, or where an interrupted job stopped (a panel boundary). */
  int firstRow() {
    return firstRow;
  }

  /**
   * Hands a copy of the panel to the writer thread, which writes it, forces it to disk and
   * records it as done; when {@link #PANELS_IN_FLIGHT} panels are being written, waits first for
   * the oldest (and throws its failure, if any), whose buffer takes the copy.
   */
  @Override
  public void accept(int first, int rows, double[] panel) throws IOException {
    double[] copy = freeBuffer(panel.length);
    System.arraycopy(panel, 0, copy, 0, Math.multiplyExact(rows, (int) total));
    handOver(first, rows, copy);
  }

  /**
   * Hands the panel itself to the writer thread, as {@link #accept} hands its copy, and returns
   * a buffer whose panel is recorded (or a new one) for the caller to fill next.
   */
  @Override
  public double[] exchange(int first, int rows, double[] panel) throws IOException {
    double[] next = freeBuffer(panel.length);
    handOver(first, rows, panel);
    return next;
  }

  /**
   * A buffer of at least {@code length} entries that no panel being written holds: a spare one,
   * a new one while fewer than {@link #PANELS_IN_FLIGHT} are, or else the oldest's once written.
   */
  private double[] freeBuffer(int length) throws IOException {
    if (spare.isEmpty() && inFlight.size() == PANELS_IN_FLIGHT) {
      await(retireOldest());
    }
    double[] buffer = spare.poll();
    return buffer != null && buffer.length >= length ? buffer : new double[length];
  }

  /**
   * Takes the oldest panel off the in-flight list, moves its buffer to the spares and returns
   * its write, which the caller waits for before any buffer is handed out again.
   */
  private Future<?> retireOldest() {
    Handed oldest = inFlight.removeFirst();
    spare.push(oldest.buffer());
    return oldest.write();
  }

  private void handOver(int first, int rows, double[] buffer) {
    inFlight.addLast(new Handed(panelWriter.submit(() -> {
      record(first, rows, buffer);
      return null;
    }), buffer));
  }

  /**
   * Writes a panel and, when no later panel waits for the writer (or {@link #FORCE_BYTES} are
   * unforced, or it is the last), forces the rows to disk and records them as done: a force
   * costs about as much as writing a panel, and a writer that keeps up forces every panel.
   */
  private void record(int first, int rows, double[] panel) throws IOException {
    synchronized (lock) {
      if (interrupted) {
        throw new IOException("interrupted at row " + rowsRecorded + " of " + total);
      }
      writer.accept(first, rows, panel);
      unforced += (long) rows * total * Double.BYTES;
      if (first + rows == total || unforced >= FORCE_BYTES || panelWriter.getQueue().isEmpty()) {
        writer.sync();
        writeRecord(first + rows);
        unforced = 0;
      }
    }
  }

  /**
   * Waits for every panel being written and rethrows the first failure, once all have ended
   * (a panel after a failed one fails too: the writer takes rows only in order).
   */
  private void awaitInFlight() throws IOException {
    Throwable first = null;
    while (!inFlight.isEmpty()) {
      try {
        await(retireOldest());
      } catch (IOException | RuntimeException | Error e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw rethrow(first);
    }
  }

  /** Waits for one panel's write and rethrows its failure. */
  private static void await(Future<?> pending) throws IOException {
    try {
      pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the panel was being written");
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /** Throws {@code failure} as it is (I/O, unchecked or an error), anything else as I/O. */
  private static IOException rethrow(Throwable failure) throws IOException {
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    throw new IOException(failure);
  }

  private void writeRecord(long rowsDone) throws IOException {
    Json.write(recordFile, new Record(rowsDone, inputsSha256, inputs));
    rowsRecorded = rowsDone;
  }

  /** Every row is there: renames the partial file to the output and deletes the record. */
  void complete() throws IOException {
    awaitInFlight();
    panelWriter.shutdown();
    synchronized (lock) {
      if (interrupted) {
        throw new IOException("interrupted at row " + rowsRecorded + " of " + total);
      }
      ended = true;
      writer.close();
      Files.deleteIfExists(recordFile);
    }
    removeHook();
  }

  /**
   * The job failed: once rows are recorded the partial file and its record stay, consistent, for
   * a rerun to resume (whatever the failure: the record only counts rows forced to disk);
   * before that both go. Returns what a user should know, or null.
   */
  String fail() {
    String note = null;
    try {
      awaitInFlight(); // the panels being written are recorded before the job stops, if they can be
    } catch (IOException | RuntimeException | Error e) {
      note = "could not write the last panel: " + e.getMessage();
    }
    panelWriter.shutdown();
    synchronized (lock) {
      ended = true;
      try {
        if (rowsRecorded > 0) {
          writer.suspend();
          note = (note == null ? "" : note + "; ") + "kept " + partial + " with " + rowsRecorded
              + " of " + total + " rows; rerun the same command to resume";
        } else {
          writer.abort();
          Files.deleteIfExists(recordFile);
        }
      } catch (IOException e) {
        note = "could not close " + partial + ": " + e.getMessage();
      }
    }
    removeHook();
    return note;
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs or has run
    }
  }

  /** SIGTERM or Ctrl-C: after the panel being recorded, if any, says where the job stopped. */
  private void onShutdown() {
    synchronized (lock) {
      if (ended) {
        return;
      }
      interrupted = true;
      System.err.println(out + ": interrupted at row " + rowsRecorded + " of " + total
          + "; rerun the same command to resume");
      System.err.flush();
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** SHA-256 of the arrays' float64 little-endian bytes, one after the other. */
  static String sha256(double[]... arrays) {
    MessageDigest md = digest();
    ByteBuffer bytes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (double[] a : arrays) {
      for (int i = 0; i < a.length; ) {
        int n = Math.min(a.length - i, bytes.capacity() / Double.BYTES);
        bytes.clear();
        bytes.asDoubleBuffer().put(a, i, n);
        md.update(bytes.array(), 0, n * Double.BYTES);
        i += n;
      }
    }
    return hex(md.digest());
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
