package org.dtheta.mnist;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dtheta.core.kernel.Kernels;

/** What a result was computed with: tool version, JDK, operating system, kernels, cores. */
final class RunInfo {

  private RunInfo() {}

  /** The tool's version, from the jar manifest (or "dev" when run from classes). */
  static String toolVersion() {
    String v = MnistApp.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT (dev)";
  }

  /** The kernel implementation in use, e.g. "panama-512" or "scalar". */
  static String kernelName() {
    return Kernels.implementationName();
  }

  /** The environment as a JSON-ready map. */
  static Map<String, Object> environment() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dtheta", toolVersion());
    m.put("jdk", Runtime.version().toString());
    m.put("jdk_vendor", System.getProperty("java.vendor"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    m.put("kernels", kernelName());
    return m;
  }
}
