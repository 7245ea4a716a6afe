/// The API's OpenAPI 3.0 document, served at /api/openapi.json. Written by hand, kept beside the routes
/// (Routes.swift): a new route is added to both. OpenAPITests checks the running server against it with
/// schemathesis.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.0.3",
          "info": {
            "title": "Aloft",
            "version": "1",
            "description": "The JSON API of `aloft serve` (docs/server.md). Every /api/v1 route needs a bearer token (`aloft tokens create`) and sees only its projects."
          },
          "servers": [
            {
              "url": "/"
            }
          ],
          "security": [
            {
              "bearer": []
            }
          ],
          "components": {
            "securitySchemes": {
              "bearer": {
                "type": "http",
                "scheme": "bearer"
              }
            },
            "schemas": {
              "Error": {
                "type": "object",
                "required": [
                  "error"
                ],
                "properties": {
                  "error": {
                    "type": "object",
                    "required": [
                      "status",
                      "message"
                    ],
                    "properties": {
                      "status": {
                        "type": "integer"
                      },
                      "message": {
                        "type": "string"
                      },
                      "fields": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "Status": {
                "type": "object",
                "required": [
                  "status"
                ],
                "properties": {
                  "status": {
                    "type": "string"
                  }
                }
              },
              "Project": {
                "type": "object",
                "required": [
                  "id",
                  "domains",
                  "description",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "description": {
                    "type": "string"
                  },
                  "domains": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Entity": {
                "type": "object",
                "required": [
                  "kind",
                  "project",
                  "domain",
                  "name",
                  "version",
                  "digest",
                  "createdAt"
                ],
                "properties": {
                  "kind": {
                    "type": "string",
                    "enum": [
                      "task",
                      "workflow",
                      "launchplan"
                    ]
                  },
                  "project": {
                    "type": "string"
                  },
                  "domain": {
                    "type": "string"
                  },
                  "name": {
                    "type": "string"
                  },
                  "version": {
                    "type": "string"
                  },
                  "digest": {
                    "type": "string"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "interface": {
                    "type": "object",
                    "properties": {
                      "inputs": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "object",
                          "required": [
                            "type",
                            "required"
                          ],
                          "properties": {
                            "type": {
                              "type": "string"
                            },
                            "required": {
                              "type": "boolean"
                            },
                            "default": {},
                            "fixed": {}
                          }
                        }
                      },
                      "outputs": {
                        "type": "object",
                        "additionalProperties": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "body": {}
                }
              },
              "ProjectRequest": {
                "type": "object",
                "required": [
                  "id"
                ],
                "additionalProperties": false,
                "properties": {
                  "id": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{1,63}$"
                  },
                  "description": {
                    "type": "string"
                  },
                  "domains": {
                    "type": "array",
                    "uniqueItems": true,
                    "items": {
                      "type": "string",
                      "pattern": "^[A-Za-z0-9_-]{1,63}$"
                    },
                    "description": "Its domains; none means development, staging and production"
                  }
                }
              },
              "TokenRequest": {
                "type": "object",
                "required": [
                  "projects",
                  "role"
                ],
                "additionalProperties": false,
                "properties": {
                  "projects": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                      "type": "string",
                      "minLength": 1
                    },
                    "description": "Projects the new token covers: each one the calling token's own; [\"*\"] (all projects) only from an all-projects token"
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "viewer",
                      "launcher",
                      "admin"
                    ]
                  }
                }
              },
              "Token": {
                "type": "object",
                "required": [
                  "id",
                  "role",
                  "projects",
                  "createdAt",
                  "revoked"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "viewer",
                      "launcher",
                      "admin"
                    ]
                  },
                  "projects": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "Its projects; [\"*\"] for an all-projects token"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "revoked": {
                    "type": "boolean"
                  }
                }
              },
              "NewToken": {
                "type": "object",
                "required": [
                  "id",
                  "secret",
                  "projects",
                  "role"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "description": "The token's public id (tok-...)"
                  },
                  "secret": {
                    "type": "string",
                    "description": "The bearer secret: shown only in this answer"
                  },
                  "projects": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "viewer",
                      "launcher",
                      "admin"
                    ]
                  }
                }
              },
              "RegisterRequest": {
                "type": "object",
                "required": [
                  "spec"
                ],
                "additionalProperties": false,
                "properties": {
                  "spec": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The spec's YAML text"
                  },
                  "version": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Default: a hash of the content"
                  }
                }
              },
              "Registered": {
                "type": "object",
                "required": [
                  "version",
                  "entities"
                ],
                "properties": {
                  "version": {
                    "type": "string"
                  },
                  "entities": {
                    "type": "array",
                    "items": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Entity"
                        },
                        {
                          "type": "object",
                          "required": [
                            "outcome"
                          ],
                          "properties": {
                            "outcome": {
                              "type": "string",
                              "enum": [
                                "created",
                                "unchanged"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "CacheEntries": {
                "type": "object",
                "required": [
                  "entries",
                  "truncated"
                ],
                "properties": {
                  "truncated": {
                    "type": "boolean"
                  },
                  "entries": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "key",
                        "project",
                        "domain",
                        "task",
                        "cacheVersion",
                        "inputsHash",
                        "outputs",
                        "createdAt",
                        "producer"
                      ],
                      "properties": {
                        "key": {
                          "type": "string"
                        },
                        "project": {
                          "type": "string"
                        },
                        "domain": {
                          "type": "string"
                        },
                        "task": {
                          "type": "string"
                        },
                        "cacheVersion": {
                          "type": "string"
                        },
                        "inputsHash": {
                          "type": "string"
                        },
                        "outputs": {
                          "$ref": "#/components/schemas/LiteralMap"
                        },
                        "createdAt": {
                          "type": "string",
                          "format": "date-time"
                        },
                        "producer": {
                          "type": "object",
                          "required": [
                            "execution",
                            "node",
                            "attempt",
                            "taskVersion"
                          ],
                          "properties": {
                            "execution": {
                              "type": "string"
                            },
                            "node": {
                              "type": "string"
                            },
                            "attempt": {
                              "type": "integer"
                            },
                            "taskVersion": {
                              "type": "string"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              },
              "Failure": {
                "type": "object",
                "required": [
                  "kind",
                  "retryable",
                  "code",
                  "message"
                ],
                "properties": {
                  "kind": {
                    "type": "string",
                    "enum": [
                      "user",
                      "system"
                    ]
                  },
                  "retryable": {
                    "type": "boolean"
                  },
                  "code": {
                    "type": "string"
                  },
                  "message": {
                    "type": "string"
                  }
                }
              },
              "LogLink": {
                "type": "object",
                "required": [
                  "name",
                  "uri"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "uri": {
                    "type": "string"
                  }
                }
              },
              "LiteralMap": {
                "type": "object",
                "additionalProperties": {
                  "type": "object",
                  "description": "Aloft Literal JSON: one key naming the kind, e.g. {\"integer\": 3}, {\"blob\": {\"uri\": ...}}",
                  "minProperties": 1,
                  "maxProperties": 1
                }
              },
              "Node": {
                "type": "object",
                "required": [
                  "node",
                  "phase",
                  "attempts",
                  "userFailures",
                  "systemFailures",
                  "cached",
                  "updatedAt",
                  "logLinks"
                ],
                "properties": {
                  "node": {
                    "type": "string"
                  },
                  "phase": {
                    "type": "string",
                    "enum": [
                      "queued",
                      "running",
                      "succeeded",
                      "failed",
                      "aborted",
                      "skipped"
                    ]
                  },
                  "attempts": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "userFailures": {
                    "type": "integer"
                  },
                  "systemFailures": {
                    "type": "integer"
                  },
                  "cached": {
                    "type": "boolean"
                  },
                  "cachedFrom": {
                    "type": "string"
                  },
                  "pluginId": {
                    "type": "string"
                  },
                  "taskExecutionId": {
                    "type": "string"
                  },
                  "taskVersion": {
                    "type": "string"
                  },
                  "inputs": {
                    "$ref": "#/components/schemas/LiteralMap"
                  },
                  "outputs": {
                    "$ref": "#/components/schemas/LiteralMap"
                  },
                  "failure": {
                    "$ref": "#/components/schemas/Failure"
                  },
                  "status": {
                    "type": "string",
                    "description": "What the plugin says while the node runs; absent once it has finished"
                  },
                  "lastMessage": {
                    "type": "string"
                  },
                  "logLinks": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/LogLink"
                    }
                  },
                  "startedAt": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When it first ran (absent for a node that never ran, or stored before schema 8)"
                  },
                  "updatedAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Execution": {
                "type": "object",
                "required": [
                  "id",
                  "project",
                  "domain",
                  "workflow",
                  "phase",
                  "status",
                  "labels",
                  "inputs",
                  "createdAt",
                  "updatedAt"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "project": {
                    "type": "string"
                  },
                  "domain": {
                    "type": "string"
                  },
                  "workflow": {
                    "type": "string"
                  },
                  "phase": {
                    "type": "string",
                    "enum": [
                      "queued",
                      "running",
                      "succeeded",
                      "failed",
                      "aborted"
                    ]
                  },
                  "status": {
                    "type": "string",
                    "description": "The phase as shown: running, orphaned (no live owner), damaged, ..."
                  },
                  "driver": {
                    "type": "string"
                  },
                  "launchedFrom": {
                    "type": "string"
                  },
                  "recoveredFrom": {
                    "type": "string"
                  },
                  "labels": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "string"
                    }
                  },
                  "inputs": {
                    "$ref": "#/components/schemas/LiteralMap"
                  },
                  "outputs": {
                    "$ref": "#/components/schemas/LiteralMap"
                  },
                  "error": {
                    "type": "string"
                  },
                  "damage": {
                    "type": "string"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "updatedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "nodes": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Node"
                    }
                  }
                }
              },
              "ExecutionPage": {
                "type": "object",
                "required": [
                  "executions"
                ],
                "properties": {
                  "executions": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Execution"
                    }
                  },
                  "nextCursor": {
                    "type": "string"
                  }
                }
              },
              "LaunchRequest": {
                "type": "object",
                "required": [
                  "project",
                  "domain",
                  "name"
                ],
                "additionalProperties": false,
                "properties": {
                  "project": {
                    "type": "string",
                    "minLength": 1
                  },
                  "domain": {
                    "type": "string",
                    "minLength": 1
                  },
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "description": "A launch plan, workflow or task"
                  },
                  "version": {
                    "type": "string",
                    "minLength": 1
                  },
                  "kind": {
                    "type": "string",
                    "enum": [
                      "launchplan",
                      "workflow",
                      "task"
                    ]
                  },
                  "inputs": {
                    "type": "object",
                    "description": "Plain JSON values by input name: 3, \"text\", [1, 2], a blob's URI",
                    "additionalProperties": {}
                  }
                }
              },
              "Launched": {
                "type": "object",
                "required": [
                  "id"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "launched": {
                    "type": "string"
                  },
                  "relaunchOf": {
                    "type": "string"
                  },
                  "recovers": {
                    "type": "string"
                  }
                }
              },
              "Edge": {
                "type": "object",
                "required": [
                  "execution",
                  "node",
                  "input",
                  "sourceExecution",
                  "sourceNode",
                  "sourceOutput"
                ],
                "properties": {
                  "execution": {
                    "type": "string"
                  },
                  "node": {
                    "type": "string"
                  },
                  "input": {
                    "type": "string"
                  },
                  "sourceExecution": {
                    "type": "string"
                  },
                  "sourceNode": {
                    "type": "string"
                  },
                  "sourceOutput": {
                    "type": "string"
                  }
                }
              },
              "Lineage": {
                "type": "object",
                "required": [
                  "execution",
                  "node",
                  "upstream",
                  "downstream",
                  "hidden"
                ],
                "properties": {
                  "execution": {
                    "type": "string"
                  },
                  "node": {
                    "type": "string"
                  },
                  "upstream": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Edge"
                    }
                  },
                  "downstream": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Edge"
                    }
                  },
                  "hidden": {
                    "type": "integer",
                    "minimum": 0
                  }
                }
              },
              "Aborted": {
                "type": "object",
                "required": [
                  "id",
                  "aborted"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "aborted": {
                    "type": "boolean"
                  }
                }
              },
              "AbortRequested": {
                "type": "object",
                "required": [
                  "id",
                  "abortRequested"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "abortRequested": {
                    "type": "boolean"
                  }
                }
              },
              "Value": {
                "type": "object",
                "required": [
                  "name",
                  "value"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "value": {
                    "type": "object",
                    "description": "Aloft Literal JSON: one key naming the kind, e.g. {\"integer\": 3}, {\"blob\": {\"uri\": ...}}",
                    "minProperties": 1,
                    "maxProperties": 1
                  }
                }
              },
              "Plugins": {
                "type": "object",
                "required": [
                  "plugins",
                  "routes",
                  "problems"
                ],
                "properties": {
                  "plugins": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "file",
                        "origin",
                        "status"
                      ],
                      "properties": {
                        "file": {
                          "type": "string"
                        },
                        "origin": {
                          "type": "string"
                        },
                        "id": {
                          "type": "string"
                        },
                        "version": {
                          "type": "string"
                        },
                        "abi": {
                          "type": "string"
                        },
                        "task_types": {
                          "type": "array",
                          "items": {
                            "type": "string"
                          }
                        },
                        "description": {
                          "type": "string"
                        },
                        "status": {
                          "type": "string",
                          "enum": [
                            "loaded",
                            "quarantined",
                            "disabled",
                            "not-needed",
                            "refused"
                          ]
                        },
                        "isolation": {
                          "type": "string"
                        },
                        "overruns": {
                          "type": "integer"
                        },
                        "refusal": {
                          "type": "object",
                          "properties": {
                            "kind": {
                              "type": "string"
                            },
                            "message": {
                              "type": "string"
                            }
                          }
                        }
                      }
                    }
                  },
                  "routes": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "string"
                    }
                  },
                  "problems": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "paths": {
            "/healthz": {
              "get": {
                "summary": "The process answers",
                "operationId": "health",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Status"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "status"
                ],
                "security": []
              }
            },
            "/readyz": {
              "get": {
                "summary": "The process and its metadata store answer",
                "operationId": "ready",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Status"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "status"
                ],
                "security": []
              }
            },
            "/api/openapi.json": {
              "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "status"
                ],
                "security": []
              }
            },
            "/api/v1/tokens": {
              "get": {
                "summary": "The tokens of the calling admin token's own projects (never their secrets)",
                "operationId": "listTokens",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "tokens"
                          ],
                          "properties": {
                            "tokens": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Token"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "tokens"
                ]
              },
              "post": {
                "summary": "Make a token for some of the calling admin token's own projects; its secret is in this answer only (admin)",
                "operationId": "createToken",
                "responses": {
                  "201": {
                    "description": "Created: the token, with its secret (shown once, stored only hashed)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/NewToken"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "tokens"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/TokenRequest"
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/tokens/{id}": {
              "delete": {
                "summary": "Revoke a token of the calling admin token's own projects",
                "operationId": "revokeToken",
                "responses": {
                  "200": {
                    "description": "Revoked",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Token"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "tokens"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "A token id (tok-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/projects": {
              "get": {
                "summary": "The token's projects",
                "operationId": "listProjects",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "projects"
                          ],
                          "properties": {
                            "projects": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Project"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ]
              },
              "post": {
                "summary": "Create a project (an all-projects admin token only)",
                "operationId": "createProject",
                "responses": {
                  "201": {
                    "description": "Created",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Project"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx: 403 without an all-projects admin token, 409 when the project exists), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ProjectRequest"
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/projects/{project}": {
              "get": {
                "summary": "One project",
                "operationId": "getProject",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Project"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/projects/{project}/domains/{domain}/{kind}": {
              "get": {
                "summary": "Registered entities of a kind, newest version first",
                "operationId": "listEntities",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "additionalProperties": {
                            "type": "array",
                            "items": {
                              "$ref": "#/components/schemas/Entity"
                            }
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "path",
                    "required": true,
                    "description": "A domain of the project",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "kind",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "tasks",
                        "workflows",
                        "launchplans"
                      ]
                    }
                  }
                ]
              }
            },
            "/api/v1/projects/{project}/domains/{domain}/{kind}/{name}": {
              "get": {
                "summary": "The versions of one entity, newest first",
                "operationId": "listVersions",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "additionalProperties": {
                            "type": "array",
                            "items": {
                              "$ref": "#/components/schemas/Entity"
                            }
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "path",
                    "required": true,
                    "description": "A domain of the project",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "kind",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "tasks",
                        "workflows",
                        "launchplans"
                      ]
                    }
                  },
                  {
                    "name": "name",
                    "in": "path",
                    "required": true,
                    "description": "The entity's name",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/projects/{project}/domains/{domain}/{kind}/{name}/{version}": {
              "get": {
                "summary": "One version with its interface and body",
                "operationId": "getEntity",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Entity"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "path",
                    "required": true,
                    "description": "A domain of the project",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "kind",
                    "in": "path",
                    "required": true,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "tasks",
                        "workflows",
                        "launchplans"
                      ]
                    }
                  },
                  {
                    "name": "name",
                    "in": "path",
                    "required": true,
                    "description": "The entity's name",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "version",
                    "in": "path",
                    "required": true,
                    "description": "A version, or latest",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/projects/{project}/domains/{domain}/register": {
              "post": {
                "summary": "Compile a spec (one document, no imports) against the server's plugins and register it as one version (admin)",
                "operationId": "register",
                "responses": {
                  "201": {
                    "description": "Created: something new was registered",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Registered"
                        }
                      }
                    }
                  },
                  "200": {
                    "description": "Everything was registered already, unchanged",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Registered"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "registry"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "path",
                    "required": true,
                    "description": "A domain of the project",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/RegisterRequest"
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/projects/{project}/cache": {
              "get": {
                "summary": "The project's cache entries (at most 1,000)",
                "operationId": "listCache",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/CacheEntries"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "cache"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "query",
                    "required": false,
                    "description": "Only this domain",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "task",
                    "in": "query",
                    "required": false,
                    "description": "Only this task",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              },
              "delete": {
                "summary": "Clear one task's cache entries (admin)",
                "operationId": "clearCache",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "cleared"
                          ],
                          "properties": {
                            "cleared": {
                              "type": "integer",
                              "minimum": 0
                            }
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "cache"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "path",
                    "required": true,
                    "description": "A project id",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "query",
                    "required": false,
                    "description": "Only this domain",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "task",
                    "in": "query",
                    "required": true,
                    "description": "The task",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions": {
              "get": {
                "summary": "Executions of the token's projects, newest first, a page at a time",
                "operationId": "listExecutions",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ExecutionPage"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "executions"
                ],
                "parameters": [
                  {
                    "name": "project",
                    "in": "query",
                    "required": false,
                    "description": "Only this project",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "domain",
                    "in": "query",
                    "required": false,
                    "description": "Only this domain",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "phase",
                    "in": "query",
                    "required": false,
                    "description": "Only this phase",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "queued",
                        "running",
                        "succeeded",
                        "failed",
                        "aborted"
                      ]
                    }
                  },
                  {
                    "name": "workflow",
                    "in": "query",
                    "required": false,
                    "description": "Only this workflow",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "Page size (default 50)",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 200
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "required": false,
                    "description": "nextCursor of the previous page (opaque)",
                    "schema": {
                      "type": "string",
                      "pattern": "^[0-9]{1,18}[.].+$"
                    }
                  }
                ]
              },
              "post": {
                "summary": "Launch a registered launch plan, workflow or task; it runs on the server's engine",
                "operationId": "launch",
                "responses": {
                  "201": {
                    "description": "Created; the execution is stored and running",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Launched"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "executions"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/LaunchRequest"
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/executions/{id}": {
              "get": {
                "summary": "An execution and its nodes",
                "operationId": "getExecution",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Execution"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "executions"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/abort": {
              "post": {
                "summary": "Abort a queued execution at once (200), or ask the process running it to abort it (202)",
                "operationId": "abort",
                "responses": {
                  "200": {
                    "description": "Aborted: it was queued and no worker had started it",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Aborted"
                        }
                      }
                    }
                  },
                  "202": {
                    "description": "Accepted",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/AbortRequested"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "executions"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/relaunch": {
              "post": {
                "summary": "Run it again as a new execution (same plan, inputs, project, domain)",
                "operationId": "relaunch",
                "responses": {
                  "201": {
                    "description": "Created",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Launched"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "executions"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/recover": {
              "post": {
                "summary": "Run a failed or aborted execution again as a new one, reusing its succeeded nodes' outputs",
                "operationId": "recover",
                "responses": {
                  "201": {
                    "description": "Created",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Launched"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "executions"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/nodes/{node}/lineage": {
              "get": {
                "summary": "What the node read and who read its outputs (edges to executions the token cannot see are only counted)",
                "operationId": "lineage",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Lineage"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "nodes"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "node",
                    "in": "path",
                    "required": true,
                    "description": "A node's path in the execution (a map item: score[3])",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/outputs/{name}": {
              "get": {
                "summary": "One output of the execution (a blob's bytes streamed)",
                "operationId": "getExecutionOutput",
                "responses": {
                  "200": {
                    "description": "A scalar as {name, value}; a blob's bytes",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Value"
                        }
                      },
                      "application/octet-stream": {
                        "schema": {
                          "type": "string",
                          "format": "binary"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "nodes"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "name",
                    "in": "path",
                    "required": true,
                    "description": "An input or output name",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "path",
                    "in": "query",
                    "required": false,
                    "description": "For a directory blob: a file inside it, relative",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/nodes": {
              "get": {
                "summary": "The execution's nodes",
                "operationId": "listNodes",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "execution",
                            "nodes"
                          ],
                          "properties": {
                            "execution": {
                              "type": "string"
                            },
                            "nodes": {
                              "type": "array",
                              "items": {
                                "$ref": "#/components/schemas/Node"
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "nodes"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/nodes/{node}": {
              "get": {
                "summary": "One node",
                "operationId": "getNode",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Node"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "nodes"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "node",
                    "in": "path",
                    "required": true,
                    "description": "A node's path in the execution (a map item: score[3])",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/nodes/{node}/outputs/{name}": {
              "get": {
                "summary": "One output of a node (a blob's bytes streamed)",
                "operationId": "getNodeOutput",
                "responses": {
                  "200": {
                    "description": "A scalar as {name, value}; a blob's bytes",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Value"
                        }
                      },
                      "application/octet-stream": {
                        "schema": {
                          "type": "string",
                          "format": "binary"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "nodes"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "node",
                    "in": "path",
                    "required": true,
                    "description": "A node's path in the execution (a map item: score[3])",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "name",
                    "in": "path",
                    "required": true,
                    "description": "An input or output name",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "path",
                    "in": "query",
                    "required": false,
                    "description": "For a directory blob: a file inside it, relative",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/executions/{id}/nodes/{node}/inputs/{name}": {
              "get": {
                "summary": "One input of a node (a blob's bytes streamed)",
                "operationId": "getNodeInput",
                "responses": {
                  "200": {
                    "description": "A scalar as {name, value}; a blob's bytes",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Value"
                        }
                      },
                      "application/octet-stream": {
                        "schema": {
                          "type": "string",
                          "format": "binary"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "nodes"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "An execution id (ex-...)",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "node",
                    "in": "path",
                    "required": true,
                    "description": "A node's path in the execution (a map item: score[3])",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "name",
                    "in": "path",
                    "required": true,
                    "description": "An input or output name",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "path",
                    "in": "query",
                    "required": false,
                    "description": "For a directory blob: a file inside it, relative",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  }
                ]
              }
            },
            "/api/v1/plugins": {
              "get": {
                "summary": "Plugins found: loaded, or refused with the reason; task-type routes",
                "operationId": "plugins",
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Plugins"
                        }
                      }
                    }
                  },
                  "default": {
                    "description": "An error: what is wrong (4xx), or that the server failed (5xx)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  }
                },
                "tags": [
                  "plugins"
                ]
              }
            }
          }
        }
        """#
}
