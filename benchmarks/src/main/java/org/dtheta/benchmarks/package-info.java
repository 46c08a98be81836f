/**
 * JMH benchmarks of the engine's hot loops and of the network's end-to-end jobs (run them all,
 * with the machine's DGEMM peak beside them, through {@code benchmarks/report}).
 *
 * <p>Every benchmark forks with a fixed, pre-touched heap ({@code -Xms} = {@code -Xmx},
 * {@code -XX:+AlwaysPreTouch}): on a growing heap G1 resized it between calls and the kernel
 * spent 30-50% of the time faulting pages back in (H V with 50 directions then spread from
 * 3.9 to 7.1 s a call).
 */
package org.dtheta.benchmarks;
