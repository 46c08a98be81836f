package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dtheta.nn.io.NpyMatrixWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-Df jobs killed at random points (SIGKILL), stopped by SIGTERM, or rerun with other
 * inputs over an existing partial file: every rerun ends with the bytes of an uninterrupted
 * run. The interrupted jobs run in JVMs of their own; P = 795 * 3 + 10 = 2395, a 46 MB Df in
 * panels of 16 rows (the last one short).
 */
class JacobianFaultInjectionTest {

  static final int HIDDEN = 3;
  static final int P = 795 * HIDDEN + 10;
  static final int PANEL_ROWS = 16;
  static final int K = 300;

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static byte[] step4;
  static byte[] step2;

  @BeforeAll
  static void trainAndComputeReferences() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), K, 10, false);
    run = tmp.resolve("run");
    Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "" + K,
        "--hidden", "" + HIDDEN, "--steps", "4", "--save-every", "2", "--lr", "0.5",
        "--init-std", "0.5", "--quiet", "--out", run.toString());
    assertEquals(0, r.code(), r.toString());
    step4 = uninterrupted(4, "ref4.npy");
    step2 = uninterrupted(2, "ref2.npy");
  }

  private static byte[] uninterrupted(int step, String name) throws IOException {
    Path out = tmp.resolve(name);
    Fixtures.Result r = Fixtures.run(args(step, out).toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    assertFalse(r.out().contains("Resuming"), r.toString());
    return Files.readAllBytes(out);
  }

  private static List<String> args(int step, Path out) {
    return List.of("jacobian", "--quiet", "--data=" + data, "--run", run.toString(), "--step",
        "" + step, "--panel-rows", "" + PANEL_ROWS, "--out", out.toString());
  }

  /** The job in a JVM of its own, its output and errors going to files beside {@code out}. */
  private static Process spawn(int step, Path out, int attempt) throws IOException {
    return new ProcessBuilder(Fixtures.javaCommand(List.of(), MnistApp.class, args(step, out)))
        .redirectOutput(out.resolveSibling("out-" + attempt + ".txt").toFile())
        .redirectError(out.resolveSibling("err-" + attempt + ".txt").toFile())
        .start();
  }

  /** The progress record beside the partial file. */
  private static Path recordFile(Path out) {
    return out.resolveSibling(out.getFileName() + ".partial.json");
  }

  /** Rows done according to the progress record, -1 while there is none. */
  private static long rowsDone(Path out) {
    Path record = recordFile(out);
    try {
      JsonObject o = Json.readObject(record);
      return o.get("rows_done").getAsLong();
    } catch (IOException | RuntimeException e) {
      return -1; // not there yet, or being replaced
    }
  }

  /** Waits until the job has recorded at least {@code rows} rows; fails if it ends first. */
  private static void awaitRows(Process job, Path out, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (rowsDone(out) < rows) {
      if (!job.isAlive()) {
        fail("the job ended (exit " + job.exitValue() + ") before row " + rows + " of " + P
            + "; rows done " + rowsDone(out));
      }
      if (System.nanoTime() > deadline) {
        job.destroyForcibly();
        fail("no row " + rows + " within 60 s");
      }
      Thread.sleep(2);
    }
  }

  private static String text(Path file) throws IOException {
    return Files.readString(file);
  }

  @Test
  void killedThreeTimesAtRandomRowsThenResumedGivesTheSameBytes() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("kill"));
    Path out = dir.resolve("D.npy");
    Random rnd = new Random(8);
    long last = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
      // a random row in the next third of what is left, and a random moment after it
      long target = last + 1 + rnd.nextInt((int) Math.max(1, (P - last) / 3));
      Process job = spawn(4, out, attempt);
      awaitRows(job, out, target);
      Thread.sleep(rnd.nextInt(20));
      job.destroyForcibly();
      assertTrue(job.waitFor(30, TimeUnit.SECONDS));
      assertTrue(Files.exists(NpyMatrixWriter.partialFile(out)), "the partial file stays");
      long done = rowsDone(out);
      assertTrue(done >= target && done % PANEL_ROWS == 0, "rows done " + done);
      if (attempt > 0) {
        assertTrue(text(dir.resolve("out-" + attempt + ".txt")).contains(
            "Resuming " + out + " at row " + last + " of " + P), text(dir.resolve("out-" + attempt + ".txt")));
      }
      last = done;
    }
    Fixtures.Result r = Fixtures.run(args(4, out).toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Resuming " + out + " at row " + last + " of " + P), r.toString());
    assertArrayEquals(step4, Files.readAllBytes(out), "resumed after 3 kills");
    assertFalse(Files.exists(NpyMatrixWriter.partialFile(out)));
    assertFalse(Files.exists(recordFile(out)), "the record goes on completion");
  }

  @Test
  void sigtermLeavesAResumableStateAndSaysSo() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("term"));
    Path out = dir.resolve("D.npy");
    Process job = spawn(4, out, 0);
    awaitRows(job, out, P / 3);
    job.destroy(); // SIGTERM
    assertTrue(job.waitFor(30, TimeUnit.SECONDS), "the job ends on SIGTERM");
    assertNotEquals(0, job.exitValue());
    String err = text(dir.resolve("err-0.txt"));
    Matcher m = Pattern.compile(Pattern.quote(out.toString())
        + ": interrupted at row (\\d+) of " + P + "; rerun the same command to resume").matcher(err);
    assertTrue(m.find(), err);
    long at = Long.parseLong(m.group(1));
    assertEquals(rowsDone(out), at, "the message gives the recorded rows");
    assertTrue(at >= P / 3 && at < P, "stopped at " + at);
    Fixtures.Result r = Fixtures.run(args(4, out).toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Resuming " + out + " at row " + at + " of " + P), r.toString());
    assertArrayEquals(step4, Files.readAllBytes(out), "resumed after SIGTERM");
    assertFalse(Files.exists(recordFile(out)));
  }

  @Test
  void aPartialOfOtherInputsIsStartedOver() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("other"));
    Path out = dir.resolve("D.npy");
    Process job = spawn(2, out, 0);
    awaitRows(job, out, P / 4);
    job.destroyForcibly();
    assertTrue(job.waitFor(30, TimeUnit.SECONDS));
    Fixtures.Result r = Fixtures.run(args(4, out).toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
    assertFalse(r.out().contains("Resuming"), r.toString());
    assertTrue(r.out().contains(NpyMatrixWriter.partialFile(out)
        + " holds a partial Df of other inputs (theta_sha256 differ); starting over"), r.toString());
    assertArrayEquals(step4, Files.readAllBytes(out), "started over at step 4");
    assertNotEquals(java.util.Arrays.hashCode(step2), java.util.Arrays.hashCode(step4));
    assertFalse(Files.exists(recordFile(out)));
  }
}
