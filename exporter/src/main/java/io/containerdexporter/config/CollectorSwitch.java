package io.containerdexporter.config;

/**
 * A collector the command line can turn on or off with {@code --collector.NAME} / {@code
 * --no-collector.NAME}. The collect package lists them; config only knows their names.
 */
public record CollectorSwitch(String name, boolean enabledByDefault, String help) {}
